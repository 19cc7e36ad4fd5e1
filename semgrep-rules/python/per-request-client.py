from functools import lru_cache

import boto3
import httpx
import redis
import requests
from fastapi import APIRouter, Depends
from flask import Flask
from openai import OpenAI
from sqlalchemy import create_engine

router = APIRouter()
app = Flask(__name__)

# ok: backlint.python.per-request-client
http_client = httpx.AsyncClient(timeout=10.0)
# ok: backlint.python.per-request-client
cache = redis.Redis.from_url("redis://localhost:6379/0")
# ok: backlint.python.per-request-client
engine = create_engine("sqlite:///app.db")


@lru_cache
def get_s3():
    # ok: backlint.python.per-request-client
    return boto3.client("s3")


@router.get("/weather")
async def weather(city: str):
    # ruleid: backlint.python.per-request-client
    async with httpx.AsyncClient() as client:
        resp = await client.get("https://api.weather.example/v1", params={"q": city})
    return {"success": True, "data": resp.json()}


@router.post("/summaries")
async def summarize(text: str):
    # ruleid: backlint.python.per-request-client
    client = OpenAI()
    result = client.responses.create(model="gpt-4o-mini", input=text)
    return {"success": True, "data": result.output_text}


@app.route("/upload", methods=["POST"])
def upload():
    # ruleid: backlint.python.per-request-client
    s3 = boto3.client("s3")
    # ruleid: backlint.python.per-request-client
    r = redis.Redis(host="localhost")
    return {"success": True}


@router.get("/reuse")
async def reuse(s3=Depends(get_s3)):
    # ok: backlint.python.per-request-client
    resp = await http_client.get("https://api.example.com/x")
    # ok: backlint.python.per-request-client
    session_id = requests.utils.quote("x")
    return {"success": True, "data": resp.json()}


def worker_main():
    # ok: backlint.python.per-request-client
    session = requests.Session()
    return session
