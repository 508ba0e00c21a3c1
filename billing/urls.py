from django.urls import path

from billing import catalog_views, views

app_name = "billing"

urlpatterns = [
    # A client's sales: the new sale, their documents, payments, settlements, turnover.
    path("client/<int:client_pk>/", views.client_sales, name="client"),
    path("client/<int:client_pk>/new/", views.new_sale, name="new"),
    path("client/<int:client_pk>/pay/", views.new_payment, name="pay"),
    path("client/<int:client_pk>/settle/", views.settle, name="settle"),
    path("client/<int:client_pk>/turnover/", views.turnover, name="turnover"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("documents/<int:pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("documents/<int:pk>/credit/", views.credit, name="credit"),
    path("documents/<int:pk>/send/", views.send, name="send"),
    path("payments/<int:pk>/", views.payment, name="payment"),
    path("payments/<int:pk>/pdf/", views.payment_pdf, name="payment_pdf"),
    path("payments/<int:pk>/reverse/", views.reverse_payment, name="reverse_payment"),
    path("settlements/<int:pk>/", views.settlement, name="settlement"),
    path("settlements/<int:pk>/pdf/", views.settlement_pdf, name="settlement_pdf"),
    path("settlements/<int:pk>/reverse/", views.reverse_settlement, name="reverse_settlement"),
    # The practice's catalog: goods, warehouses and their stock, document types.
    path("catalog/", catalog_views.catalog, name="catalog"),
    path("catalog/goods/new/", catalog_views.product_add, name="product_add"),
    path("catalog/goods/<int:pk>/", catalog_views.product_edit, name="product_edit"),
    path("catalog/warehouses/new/", catalog_views.warehouse_add, name="warehouse_add"),
    path("catalog/warehouses/<int:pk>/", catalog_views.warehouse_edit, name="warehouse_edit"),
    path("catalog/warehouses/<int:pk>/stock/", catalog_views.stock, name="stock"),
    path("catalog/movements/", catalog_views.movements, name="movements"),
    path("catalog/types/new/", catalog_views.document_type_add, name="document_type_add"),
    path("catalog/types/<int:pk>/", catalog_views.document_type_edit, name="document_type_edit"),
]
