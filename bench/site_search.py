"""Photo search with a category filter as the site runs it, on a site-shaped database at scale.

    BENCH_DATABASE_URL=... .venv/bin/python bench/site_search.py --n 1000000 --build-only
    BENCH_DATABASE_URL=... flock /tmp/shoplens-bench.lock \\
        .venv/bin/python bench/site_search.py --n 1000000 --reuse --json OUT.json

`bench/search_scale.py` times bare SQL on one table; this times the whole
`selectors.search_by_embedding` (the row count that picks a path, the category tree, the joins
to listings and photos, the models built) on the site's own tables, migrated: one listing per
vector of the same calibrated data and seed, one photo each, its category one of 20 leaf
categories of the taxonomy (5 % each). Compared in the same run: what the site does for a
large category now (its nearest codes re-ranked) and the iterative HNSW walk it did before and
still falls back to. Recall@10 of the listings found, against numpy. Only the float HNSW index
is built (the code HNSW index is never used by these searches). Uses its own database,
`BENCH_DATABASE_URL` or `bench_site_<n>` on the embedded server.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from pgvector.psycopg import register_vector

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `marketplace`, `bench`
from bench.common import bench_database_url  # noqa: E402
from bench.search_scale import K, exact_neighbours, workload  # noqa: E402
from bench.vector_data import GENERATORS  # noqa: E402

VERSION = "bench-site"


def load(vectors: np.ndarray, categories: np.ndarray, leaf_ids: list[int]) -> None:
    """Listings, photos and analyses as the site stores them, from a staging table."""
    from django.db import connection

    from marketplace.accounts.models import User
    from marketplace.search.models import ActiveModel

    seller, _ = User.objects.get_or_create(username="bench-seller")
    ActiveModel(model_version=VERSION).save()
    connection.ensure_connection()
    register_vector(connection.connection)
    with connection.connection.cursor() as cur:
        cur.execute("TRUNCATE listings_listing CASCADE")
        for name in ("photoanalysis_embedding_hnsw", "photoanalysis_code_hnsw"):
            cur.execute(f"DROP INDEX IF EXISTS {name}")  # built once after the load instead
        cur.execute("CREATE TEMP TABLE staging (id bigint, category_id bigint, "
                    "embedding vector(256))")
        with cur.copy("COPY staging FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "int8", "vector"])
            for i, vector in enumerate(vectors):
                copy.write_row([i + 1, leaf_ids[categories[i]], vector])
        cur.execute(
            "INSERT INTO listings_listing (id, seller_id, title, description, price, currency, "
            "category_id, condition, location, status, is_hidden, hidden_reason, created_at, "
            "updated_at) SELECT id, %s, 'Item ' || id, '', 10 + id %% 500, 'EUR', category_id, "
            "'good', '', 'active', false, '', now(), now() FROM staging", [seller.pk])
        cur.execute(
            "INSERT INTO photos_photo (id, listing_id, position, original, display, thumbnail, "
            "status, failure_reason, sha256, created_at) SELECT id, id, 0, "
            "'photos/' || id || '/original', '', '', 'done', '', '', now() FROM staging")
        cur.execute(
            "INSERT INTO search_photoanalysis (photo_id, listing_id, category_id, model_version, "
            "status, failure_reason, embedding, code, tags, analysed_at) SELECT id, id, "
            "category_id, %s, 'done', '', embedding, binary_quantize(embedding)::bit(256), "
            "'{}', now() FROM staging", [VERSION])
        cur.execute("SET maintenance_work_mem = '4GB'")
        cur.execute("SET max_parallel_maintenance_workers = 1")
        print("Building photoanalysis_embedding_hnsw…", flush=True)
        cur.execute("CREATE INDEX photoanalysis_embedding_hnsw ON search_photoanalysis "
                    "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)")
        cur.execute("VACUUM ANALYZE")  # Django's connection is in autocommit mode
    connection.close()


def time_searches(queries, filters_for, truth) -> dict:
    """recall@10 of the listings found, p50 and p95 ms of `search_by_embedding`, and how many
    searches did not take their rows from the code ranking (exact path or HNSW walk)."""
    from marketplace.search import selectors

    others, latencies, hits = [], [], 0
    walk, floor = selectors.iterative_index_scan, selectors.SIMILAR_MAX_DISTANCE
    selectors.iterative_index_scan = lambda *args: others.append(1) or walk(*args)
    # The ranking's recall against numpy's: a synthetic query's 10 nearest in another category
    # may lie beyond the similarity floor, which would leave them out (2 = the largest distance).
    selectors.SIMILAR_MAX_DISTANCE = 2.0
    for i, query in enumerate(queries):
        started = time.perf_counter()
        matches = selectors.search_by_embedding(query, filters_for(i), model_version=VERSION)
        latencies.append((time.perf_counter() - started) * 1000)
        hits += len({match.listing.pk - 1 for match in matches[:K]} & truth[i])
    selectors.iterative_index_scan, selectors.SIMILAR_MAX_DISTANCE = walk, floor
    return {"recall_at_10": round(hits / (K * len(queries)), 4),
            "p50_ms": round(float(np.percentile(latencies, 50)), 2),
            "p95_ms": round(float(np.percentile(latencies, 95)), 2), "not_by_codes": len(others)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--data", choices=sorted(GENERATORS), default="calibrated")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="keep a loaded database of this size")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    categories_count = 20
    # The same vectors, queries and filter categories as bench/search_scale.py.
    shape, vectors, categories, queries, filter_categories = workload(
        args.n, args.data, args.queries, categories_count)

    os.environ["DATABASE_URL"] = bench_database_url(f"bench_site_{args.data}_{args.n}")
    os.environ.setdefault("DJANGO_ALLOW_INSECURE_KEY", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from marketplace.listings.models import Category, Listing
    from marketplace.search import selectors
    from marketplace.search.selectors import SearchFilters

    call_command("migrate", verbosity=0)
    leaves = list(Category.objects.filter(children__isnull=True).order_by("pk")[:categories_count])
    if not (args.reuse and Listing.objects.count() == shape.n):
        print(f"Loading {shape.n} listings…", flush=True)
        load(vectors, categories, [leaf.pk for leaf in leaves])
    if args.build_only:
        return 0

    truth = exact_neighbours(vectors, categories, queries, filter_categories)

    def filters_for(i: int) -> SearchFilters:
        return SearchFilters(category=leaves[filter_categories[i]])

    def iterative_walk(*_args) -> list[int]:
        return []  # no code candidates: the site falls back to the HNSW walk, as it ran before

    code_ranking, site_candidates = (selectors.nearest_codes,
                                     selectors.CATEGORY_CODE_CANDIDATES)
    methods = [
        (f"category codes top-{site_candidates} + re-rank (the site)", code_ranking,
         site_candidates),
        (f"category codes top-{2 * site_candidates} + re-rank", code_ranking,
         2 * site_candidates),
        ("iterative HNSW walk, ef_search 400 (the site before; now its fallback)",
         iterative_walk, site_candidates),
    ]
    rows = []
    for label, ranking, candidates in methods:
        selectors.nearest_codes = ranking
        selectors.CATEGORY_CODE_CANDIDATES = candidates
        time_searches(queries, filters_for, truth)  # untimed: warm the caches
        rows.append({"method": label} | time_searches(queries, filters_for, truth))
        print(rows[-1], flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    report = {"data": args.data, "n": args.n, "queries": args.queries,
              "shared_buffers": shared_buffers, "rows": rows}
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
