"""The courses app's URLs, namespace `courses`: each domain lists its own."""

from courses.certificates.urls import urlpatterns as certificate_urls
from courses.cohorts.urls import urlpatterns as cohort_urls
from courses.content.urls import urlpatterns as content_urls
from courses.learning.urls import urlpatterns as learning_urls

app_name = "courses"

urlpatterns = [*content_urls, *learning_urls, *certificate_urls, *cohort_urls]
