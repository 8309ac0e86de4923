from django.urls import path

from .views import ItemCollectionView, ItemDetailView

urlpatterns = [
    path("items", ItemCollectionView.as_view(), name="item-list"),
    path("items/<str:item_id>", ItemDetailView.as_view(), name="item-detail"),
]
