"""Route detection on look-alikes of what real backends taught us (docs/real-repos.md)."""
from __future__ import annotations

import ast
import textwrap

import pytest

from backlint.rules.model import SemanticModel


def routes_in(path: str, source: str) -> dict[str, tuple[str, str]]:
    """Function name -> (framework, kind) for every function the model marks as a route."""
    tree = ast.parse(textwrap.dedent(source))
    model = SemanticModel(path)
    model.prepare(tree)
    _walk(tree, model)
    return {node.name: (route.framework, route.kind) for node, route in model.routes.items()}


def _walk(node: ast.AST, model: SemanticModel) -> None:
    model.enter(node)
    for child in ast.iter_child_nodes(node):
        _walk(child, model)
    model.leave(node)


def test_private_helpers_of_django_views_are_not_routes():
    routes = routes_in("shop/views.py", """
        def order_detail(request, pk):
            return render(request, "order.html")

        def _order_for_user(request, pk):
            return Order.objects.get(pk=pk, owner=request.user)
    """)
    assert routes == {"order_detail": ("django", "handler")}


def test_django_function_views_outside_views_modules_are_routes():
    routes = routes_in("shop/pages.py", """
        from django.http import HttpRequest, JsonResponse
        from django.shortcuts import redirect, render

        from shop.models import Order


        def order_list(request: HttpRequest):
            return render(request, "orders.html", {"orders": Order.objects.all()})

        def order_status(request, pk):
            order = Order.objects.get(pk=pk)
            if order.paid:
                return JsonResponse({"status": "paid"})
            return redirect("pay", pk=pk)

        def error_page(request, message):  # near-miss: a helper its views call
            return render(request, "error.html", {"message": message})

        def order_delete(request, pk):
            if not request.user.is_staff:
                return error_page(request, "staff only")
            Order.objects.filter(pk=pk).delete()
            return redirect("orders")

        def order_context(request, order):  # near-miss: returns no response
            return {"order": order, "user": request.user}

        def _paid(request):  # near-miss: private
            return JsonResponse({"paid": True})
    """)
    assert routes == {"order_list": ("django", "handler"), "order_status": ("django", "handler"),
                      "order_delete": ("django", "handler")}


def test_request_functions_returning_no_django_response_outside_views_are_no_routes():
    routes = routes_in("bot/replies.py", """
        from aiohttp import web

        def reply(request, text):  # near-miss: aiohttp outside a views module, no Django
            return web.json_response({"text": text})
    """)
    assert not routes


def test_django_response_helpers_in_helper_modules_are_no_routes():
    routes = routes_in("dashboards/view_utils.py", """
        from django.shortcuts import render

        def render_readouts(request, readouts, template, locale=None):  # near-miss
            return render(request, template, {"readouts": readouts, "locale": locale})
    """)
    assert not routes


def test_aiohttp_function_views_are_labelled_aiohttp():
    routes = routes_in("blog/views.py", """
        from aiohttp import web

        async def index(request):
            return web.Response(text="hi")
    """)
    assert routes == {"index": ("aiohttp", "handler")}


@pytest.mark.parametrize("path", ["board/handlers.py", "board/views.py"])
def test_aiohttp_handler_class_methods_are_routes(path):
    routes = routes_in(path, """
        from aiohttp import web

        class SiteHandler:
            def __init__(self, store):
                self.store = store

            async def timeline(self, request):
                return web.Response(text="ok")

            async def _render(self, request):
                return web.Response(text="ok")

            def summary(self, rows):
                return rows
    """)
    assert routes == {"timeline": ("aiohttp", "handler")}


def test_plain_classes_in_handlers_modules_without_aiohttp_are_not_routes():
    routes = routes_in("app/handlers.py", """
        class AuditHandler:
            def emit(self, request):
                return request
    """)
    assert routes == {}


def test_views_of_drf_add_ons_are_routes():
    routes = routes_in("accounts/apis.py", """
        from rest_framework_simplejwt.views import TokenObtainPairView

        class LoginApi(TokenObtainPairView):
            def post(self, request, *args, **kwargs):
                return super().post(request, *args, **kwargs)
    """)
    assert routes == {"post": ("django", "handler")}


def test_error_handlers_on_unresolved_receivers_are_labelled_python():
    routes = routes_in("app/errors.py", """
        from .extensions import errors_bp

        @errors_bp.app_errorhandler(Exception)
        def on_error(error):
            return {"error": "Internal error"}, 500
    """)
    assert routes == {"on_error": ("python", "error_handler")}


def test_subscripted_generic_view_bases_are_views():
    routes = routes_in("tags/api.py", """
        from typing import Any, Generic, TypeVar

        from rest_framework import generics, viewsets

        T = TypeVar("T")

        class TagViewSet(viewsets.ModelViewSet[Tag]):
            def list(self, request):
                return super().list(request)

        class OwnedMixin(generics.GenericAPIView[T], Generic[T]):
            def get(self, request):
                return self.retrieve(request)

        class NoteView(OwnedMixin[Note]):
            def post(self, request):
                return self.create(request)

        class PlainBox(Generic[T]):
            def get(self, request):
                return request
    """)
    assert routes == {"list": ("django", "handler"), "get": ("django", "handler"),
                      "post": ("django", "handler")}


def test_imported_project_view_bases_count_by_name_or_request_methods():
    routes = routes_in("notes/views.py", """
        from rest_framework.response import Response

        from core.mixins import OwnedMixin, AuditTrail

        class NoteViewSet(OwnedMixin[Note]):
            def retrieve(self, request, pk=None):
                return Response({})

        class NoteExport(OwnedMixin[Note]):
            def post(self, request):
                return Response({})

        class NoteCache(AuditTrail):
            def get(self, key):
                return key
    """)
    assert routes == {"retrieve": ("django", "handler"), "post": ("django", "handler")}


def test_imported_view_named_bases_need_a_view_framework_in_the_module():
    routes = routes_in("jobs/runner.py", """
        from core.tasks import TaskView

        class NightlyView(TaskView):
            def get(self, request):
                return request
    """)
    assert routes == {}
