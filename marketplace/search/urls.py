from django.urls import path

from . import views

app_name = "search"
urlpatterns = [
    path("", views.search, name="search"),
    path("listings/<int:pk>/analysis/", views.analysis_status, name="analysis-status"),
    path("listings/<int:pk>/suggestions/", views.answer_suggestion, name="answer-suggestion"),
    path("listings/<int:pk>/publish/", views.publish_draft, name="publish-draft"),
    path("listings/<int:pk>/save/", views.save_draft, name="save-draft"),
]
