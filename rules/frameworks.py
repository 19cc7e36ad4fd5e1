"""What the supported web frameworks call their apps, routers, views, responses and HTTP errors.

Names are fully qualified as the semantic model resolves them through imports and aliases.
"""
from __future__ import annotations

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "trace"})

# Decorator methods that register a route on an app or router object: `@router.get("/x")`.
ROUTE_DECORATOR_METHODS = HTTP_METHODS | {"route", "api_route", "websocket", "websocket_route"}

# Decorator methods that register an exception handler: `@app.exception_handler(Exception)`.
ERROR_HANDLER_METHODS = frozenset({"exception_handler", "errorhandler", "app_errorhandler",
                                   "exception"})

APP_TYPES = {
    "fastapi.FastAPI": "fastapi", "fastapi.APIRouter": "fastapi",
    "fastapi.applications.FastAPI": "fastapi", "fastapi.routing.APIRouter": "fastapi",
    "starlette.applications.Starlette": "starlette", "starlette.routing.Router": "starlette",
    "flask.Flask": "flask", "flask.Blueprint": "flask", "flask.app.Flask": "flask",
    "flask.blueprints.Blueprint": "flask", "apiflask.APIFlask": "flask",
    "apiflask.APIBlueprint": "flask", "flask_smorest.Blueprint": "flask",
    "flask_restx.Namespace": "flask", "flask_restx.Api": "flask",
    "quart.Quart": "quart", "quart.Blueprint": "quart",
    "aiohttp.web.RouteTableDef": "aiohttp", "aiohttp.web.Application": "aiohttp",
    "sanic.Sanic": "sanic", "sanic.Blueprint": "sanic",
    "ninja.NinjaAPI": "django", "ninja.Router": "django",
    "litestar.Litestar": "litestar", "litestar.Router": "litestar",
}

# Names an unresolved receiver of `@<name>.get("/path")` commonly has (imported from a module of
# the project): accepted only with a route path literal as the first argument.
ROUTER_NAME_HINTS = ("app", "router", "api", "bp", "blueprint", "routes", "ns", "views")

# Functions used as decorators that make a route handler wherever they are applied.
ROUTE_FUNCTION_DECORATORS = {
    "litestar.get": "litestar", "litestar.post": "litestar", "litestar.put": "litestar",
    "litestar.patch": "litestar", "litestar.delete": "litestar", "litestar.head": "litestar",
    "litestar.route": "litestar", "litestar.websocket": "litestar",
    "rest_framework.decorators.api_view": "django",
    "django.views.decorators.http.require_http_methods": "django",
    "django.views.decorators.http.require_GET": "django",
    "django.views.decorators.http.require_POST": "django",
    "django.views.decorators.http.require_safe": "django",
}

# Base classes whose methods named after HTTP verbs (or DRF actions) handle requests.
VIEW_BASE_PREFIXES = {
    "django.views.": "django", "django.views.generic.": "django",
    "rest_framework.views.APIView": "django", "rest_framework.generics.": "django",
    "rest_framework.viewsets.": "django",
    # DRF add-ons whose views users subclass (`class LoginApi(ObtainJSONWebTokenView)`).
    "rest_framework_jwt.views.": "django", "rest_framework_simplejwt.views.": "django",
    "dj_rest_auth.views.": "django",
    "flask.views.": "flask", "flask_restful.Resource": "flask", "flask_restx.Resource": "flask",
    "flask_smorest.": "flask", "quart.views.": "quart",
    "aiohttp.web.View": "aiohttp", "sanic.views.HTTPMethodView": "sanic",
    "litestar.Controller": "litestar", "litestar.controller.Controller": "litestar",
}
VIEW_HANDLER_METHODS = HTTP_METHODS | {
    "list", "create", "retrieve", "update", "partial_update", "destroy", "dispatch_request",
}
VIEW_ACTION_DECORATORS = frozenset({"rest_framework.decorators.action"})

# Calls that register a handler function given as an argument: name -> index of that argument.
REGISTRATION_CALLS = {
    "add_api_route": 1, "add_route": -1, "add_url_rule": 2, "add_get": 1, "add_post": 1,
    "add_put": 1, "add_patch": 1, "add_delete": 1, "add_head": 1, "add_view": 1,
}
REGISTRATION_KEYWORDS = ("endpoint", "view_func", "handler")
ROUTE_OBJECTS = frozenset({"starlette.routing.Route", "fastapi.routing.APIRoute",
                           "aiohttp.web.get", "aiohttp.web.post", "aiohttp.web.put",
                           "aiohttp.web.patch", "aiohttp.web.delete", "aiohttp.web.route",
                           "aiohttp.web.view"})
ERROR_REGISTRATION_CALLS = frozenset({"add_exception_handler", "register_error_handler"})

FRAMEWORK_MODULES = ("fastapi", "starlette", "flask", "quart", "werkzeug", "django",
                     "rest_framework", "aiohttp", "sanic", "litestar", "ninja", "apiflask",
                     "flask_restful", "flask_restx", "flask_smorest")

_RESPONSE_MODULES = ("fastapi", "starlette", "flask", "quart", "werkzeug", "django.http",
                     "rest_framework.response", "aiohttp.web", "sanic", "litestar")
_RESPONSE_FUNCTIONS = frozenset({"jsonify", "make_response", "json_response", "abort"})
_SANIC_RESPONSE_FUNCTIONS = frozenset({"json", "text", "html", "raw"})

_HTTP_ERROR_PREFIXES = ("werkzeug.exceptions.", "rest_framework.exceptions.",
                        "aiohttp.web.HTTP", "aiohttp.web_exceptions.", "sanic.exceptions.",
                        "litestar.exceptions.")
_HTTP_ERROR_NAMES = frozenset({"fastapi.HTTPException", "fastapi.exceptions.HTTPException",
                               "starlette.exceptions.HTTPException", "litestar.HTTPException",
                               "fastapi.WebSocketException"})


# Templates rendered with the values passed in: their text is the page the client gets.
TEMPLATE_RENDER_CALLS = frozenset({
    "flask.render_template", "flask.render_template_string", "quart.render_template",
    "quart.render_template_string", "django.shortcuts.render",
    "django.shortcuts.render_to_response",
    "django.template.response.TemplateResponse", "django.template.response.SimpleTemplateResponse",
    "aiohttp_jinja2.render_template", "aiohttp_jinja2.render_template_async",
    "sanic_ext.render", "litestar.response.Template", "litestar.response.template.Template",
})
# `templates.TemplateResponse(...)` of Starlette's and FastAPI's `Jinja2Templates`.
TEMPLATE_RESPONSE_METHOD = "TemplateResponse"


def is_template_call(qualname: str | None) -> bool:
    return qualname in TEMPLATE_RENDER_CALLS


def _module_of(qualname: str) -> str:
    return qualname.rpartition(".")[0]


def is_response_call(qualname: str | None) -> bool:
    """`JSONResponse(...)`, `jsonify(...)`, `HttpResponse(...)`, `web.json_response(...)` ..."""
    if not qualname:
        return False
    module, _, name = qualname.rpartition(".")
    if not module.startswith(_RESPONSE_MODULES):
        return False
    if name.endswith("Response") or name in _RESPONSE_FUNCTIONS:
        return True
    return module.startswith("sanic") and name in _SANIC_RESPONSE_FUNCTIONS


def is_http_error_call(qualname: str | None) -> bool:
    """An exception class whose message the framework sends to the client."""
    if not qualname:
        return False
    return qualname in _HTTP_ERROR_NAMES or qualname.startswith(_HTTP_ERROR_PREFIXES)


def framework_of_view_base(qualname: str | None) -> str | None:
    if not qualname:
        return None
    for prefix, framework in VIEW_BASE_PREFIXES.items():
        if qualname == prefix or (prefix.endswith(".") and qualname.startswith(prefix)):
            return framework
    return None


def imports_framework(module_names: set[str]) -> bool:
    return any(name.split(".")[0] in FRAMEWORK_MODULES for name in module_names)
