import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """PhotoAnalysis.category: the listing's category, for ranking a category's codes from one
    covering index. Added nullable, filled from the listings, then made required."""

    dependencies = [
        ('listings', '0002_seed_categories'),
        ('search', '0003_listing_document'),
    ]

    operations = [
        migrations.AddField(
            model_name='photoanalysis',
            name='category',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='listings.category'),
        ),
        migrations.RunSQL(
            """
            UPDATE search_photoanalysis analysis SET category_id = listing.category_id
            FROM listings_listing listing WHERE listing.id = analysis.listing_id
            """,
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name='photoanalysis',
            name='category',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name='+', to='listings.category'),
        ),
        migrations.AddIndex(
            model_name='photoanalysis',
            index=models.Index(condition=models.Q(('status', 'done')),
                               fields=['model_version', 'category'], include=('id', 'code'),
                               name='photoanalysis_category_code'),
        ),
    ]
