from django.apps import AppConfig


class ItemsConfig(AppConfig):
    name = "my_service.items"
    label = "items"
    verbose_name = "Items"
