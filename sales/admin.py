from django.contrib import admin

from .models import ExchangeRate, Pipeline, ProductCategory, Stage


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "date", "rate"]
    list_filter = ["currency"]
    date_hierarchy = "date"


class StageInline(admin.TabularInline):
    model = Stage
    extra = 1
    fields = ["name", "order", "probability", "is_won", "is_lost"]


@admin.register(Pipeline)
class PipelineAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "is_default", "is_active"]
    inlines = [StageInline]


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent"]
