from django.contrib import admin

from .models import Item


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin[Item]):
    list_display = ("id", "name", "created_at", "updated_at")
    search_fields = ("name",)
