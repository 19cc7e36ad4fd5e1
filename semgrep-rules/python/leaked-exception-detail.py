import logging
import traceback

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from flask import Flask, jsonify
from pydantic import ValidationError

logger = logging.getLogger(__name__)
router = APIRouter()
app = FastAPI()
flask_app = Flask(__name__)


class ItemNotFound(Exception):
    pass


@router.get("/items/{item_id}")
async def read_item(item_id: str):
    try:
        return {"success": True, "data": await get_item(item_id)}
    except Exception as exc:
        # ruleid: backlint.python.leaked-exception-detail
        raise HTTPException(status_code=500, detail=str(exc))


@router.post("/items")
async def create_item(payload: dict):
    try:
        return {"success": True, "data": await save(payload)}
    except Exception as exc:
        body = {"success": False, "error": traceback.format_exc()}
        # ruleid: backlint.python.leaked-exception-detail
        return JSONResponse(body, status_code=500)


@router.delete("/items/{item_id}")
async def delete_item(item_id: str):
    try:
        await remove(item_id)
    except Exception as e:
        # ruleid: backlint.python.leaked-exception-detail
        return {"success": False, "error": f"delete failed: {e}"}
    return {"success": True}


@flask_app.post("/orders")
def create_order():
    try:
        return jsonify(success=True, data=place_order())
    except Exception as err:
        # ruleid: backlint.python.leaked-exception-detail
        return jsonify({"success": False, "error": repr(err)}), 500


@app.exception_handler(Exception)
async def unhandled(request: Request, exc: Exception):
    # ruleid: backlint.python.leaked-exception-detail
    return JSONResponse(status_code=500, content={"detail": str(exc)})


# Logged, generic message: fine.
@router.get("/ok1")
async def ok1():
    try:
        return {"success": True, "data": await load()}
    except Exception as exc:
        logger.exception("load failed: %s", exc)
        # ok: backlint.python.leaked-exception-detail
        raise HTTPException(status_code=500, detail="Internal error") from exc


@router.get("/ok2/{item_id}")
async def ok2(item_id: str):
    try:
        return {"success": True, "data": await get_item(item_id)}
    except ItemNotFound as exc:
        # ok: backlint.python.leaked-exception-detail
        raise HTTPException(status_code=404, detail=str(exc))
    except ValidationError as exc:
        # ok: backlint.python.leaked-exception-detail
        return JSONResponse({"success": False, "errors": exc.errors()}, status_code=422)
    except Exception as exc:
        logger.error("get_item failed", exc_info=exc)
        # ok: backlint.python.leaked-exception-detail
        return JSONResponse({"success": False, "error": "Internal error", "type": type(exc).__name__}, status_code=500)


def helper():
    try:
        return compute()
    except Exception as exc:
        # ok: backlint.python.leaked-exception-detail
        return str(exc)


@router.get("/mixed/{item_id}")
async def mixed(item_id: str):
    try:
        return {"success": True, "data": await get_item(item_id)}
    except ItemNotFound as exc:
        # ok: backlint.python.leaked-exception-detail
        raise HTTPException(status_code=404, detail=str(exc))
    except Exception as exc:
        # ruleid: backlint.python.leaked-exception-detail
        return JSONResponse({"success": False, "error": str(exc)}, status_code=500)
