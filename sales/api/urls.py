from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("products", views.ProductViewSet, basename="product")
router.register("leads", views.LeadViewSet, basename="lead")
router.register("opportunities", views.OpportunityViewSet, basename="opportunity")
router.register("pipelines", views.PipelineViewSet, basename="pipeline")
router.register("orders", views.OrderViewSet, basename="order")
router.register("contracts", views.ContractViewSet, basename="contract")

urlpatterns = router.urls
