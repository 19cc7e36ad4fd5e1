import httpx
import requests
from urllib.request import urlopen


def fetch_rates():
    # ruleid: backlint.python.missing-timeout
    return requests.get("https://api.exchangerate.host/latest").json()


def post_event(url: str, payload: dict):
    # ruleid: backlint.python.missing-timeout
    return requests.post(url, json=payload, headers={"Accept": "application/json"})


def fetch_user(user_id: str):
    # ruleid: backlint.python.missing-timeout
    return httpx.get(f"https://api.example.com/users/{user_id}", timeout=None)


def make_client():
    # ruleid: backlint.python.missing-timeout
    return httpx.AsyncClient(base_url="https://api.example.com", timeout=None)


def read_page(url: str):
    # ruleid: backlint.python.missing-timeout
    return urlopen(url).read()


# Near misses: all fine.
def fine(url: str, **kwargs):
    # ok: backlint.python.missing-timeout
    requests.get(url, timeout=10)
    # ok: backlint.python.missing-timeout
    requests.post(url, json={}, timeout=(3.05, 27))
    # ok: backlint.python.missing-timeout
    httpx.get(url)
    # ok: backlint.python.missing-timeout
    httpx.Client(base_url=url)
    # ok: backlint.python.missing-timeout
    httpx.post(url, timeout=5.0)
    # ok: backlint.python.missing-timeout
    requests.get(url, **kwargs)
    # ok: backlint.python.missing-timeout
    urlopen(url, timeout=5)
    # ok: backlint.python.missing-timeout
    requests.utils.quote(url)
