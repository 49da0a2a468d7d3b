from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("communications", views.CommunicationViewSet, basename="communication")
router.register("follow-up-tasks", views.FollowUpTaskViewSet, basename="follow-up-task")
router.register("tags", views.TagViewSet, basename="tag")
router.register("groups", views.CustomerGroupViewSet, basename="group")

urlpatterns = router.urls
