from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=100, db_index=True)
    # NULL means "no description", as the API reports it; "" is a description that is empty.
    description = models.CharField(max_length=500, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "items"

    def __str__(self) -> str:
        return self.name
