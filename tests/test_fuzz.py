"""Fuzz: mutated and pathological Python sources never make backlint crash, and its output does
not depend on --jobs or on the cache.

The generator is ours and seeded: a few backend-shaped seed modules, mutated by token edits,
truncation and odd characters, beside pathological files (deep nesting, long operator chains,
huge literals, bad encodings, null bytes). One tree of ~150 files is checked with --jobs 1,
--jobs 2, and --jobs 2 again from a warm cache; the three outputs must be identical, and no
file may end as an internal error.
"""
from __future__ import annotations

import io
import json
import random
import tokenize
from pathlib import Path

import pytest

from test_cli import run

SEED = 20261202
SEEDS = [
    '''from fastapi import APIRouter, HTTPException
import httpx

router = APIRouter()


@router.get("/items/{item_id}")
async def read_item(item_id: int):
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"https://api.example.com/items/{item_id}")
        return {"data": response.json()}
    except Exception as error:
        return {"error": str(error), "trace": repr(error)}
''',
    '''from typing import Any

from flask import Blueprint, jsonify

bp = Blueprint("orders", __name__)


@bp.route("/orders", methods=["POST"])
def create_order(payload: Any, *args: Any, **kwargs: Any) -> Any:
    if not payload:
        return jsonify({"ok": False}), 200
    for line in payload.get("lines", []):
        if line["qty"] > 10:
            return jsonify({"message": "too many"})
    return jsonify({"data": payload})
''',
    '''import boto3
from django.http import JsonResponse
from django.views import View

s3 = boto3.client("s3", region_name="eu-west-1")


class ReportView(View):
    def get(self, request, *args, **kwargs):
        client = boto3.client("s3")
        rows = Report.objects.filter(owner=request.user).values()
        return JsonResponse({"rows": list(rows), "count": len(rows)})
''',
    '''import traceback

from rest_framework.views import APIView
from rest_framework.response import Response


class Health(APIView):
    def get(self, request):
        try:
            return Response({"status": "ok"})
        except ValueError:
            return Response({"detail": traceback.format_exc()}, status=500)
''',
]
TOKEN_POOL = ["(", ")", "[", "]", "{", "}", ":", ",", "lambda", "await", "yield", "*", "**",
              "=", "if", "else", "\\", "'", '"""', "#", "\t", "\n", "async", "def", "return",
              "except", "try:", "@", "...", "not", "Any", "str(e)", "$", "?", "0x", "1e"]
ODD_TEXT = ["\u202e", "\x00", "\x0c", "\u2028", "\ufeff", "é", "名前", "\U0001f600", "\x1b[2J",
            "\r", "\r\n", "\u0085", "\u00a0", "\udcff", "\x7f", "ǅ", "\u200b"]


def _token_spans(source: str) -> list[tuple[int, int]]:
    """Each token's start and end as offsets into `source`."""
    starts = [0]
    for line in source.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    spans = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.string.strip():
                spans.append((starts[token.start[0] - 1] + token.start[1],
                              starts[token.end[0] - 1] + token.end[1]))
    except (tokenize.TokenError, SyntaxError):
        pass
    return spans or [(0, 0)]


def _token_edit(rng: random.Random, source: str) -> str:
    """Delete, insert, duplicate or replace one token in place; the layout stays."""
    for _ in range(rng.randint(1, 2)):
        start, end = rng.choice(_token_spans(source))
        choice = rng.random()
        if choice < 0.3:
            source = source[:start] + source[end:]
        elif choice < 0.6:
            source = source[:start] + rng.choice(TOKEN_POOL) + " " + source[start:]
        elif choice < 0.8:
            source = source[:start] + source[start:end] + " " + source[start:]
        else:
            source = source[:start] + rng.choice(TOKEN_POOL) + source[end:]
    return source


def _odd_text(rng: random.Random, source: str) -> str:
    for _ in range(rng.randint(1, 3)):
        position = rng.randrange(len(source) + 1)
        source = source[:position] + rng.choice(ODD_TEXT) + source[position:]
    return source


def _mutant(rng: random.Random) -> bytes:
    source = rng.choice(SEEDS)
    kind = rng.choice(["token", "token", "odd", "truncate", "mixed", "none"])
    if kind in ("token", "mixed"):
        source = _token_edit(rng, source)
    if kind in ("odd", "mixed"):
        source = _odd_text(rng, source)
    data = source.encode("utf-8", "surrogateescape")
    if kind == "truncate":
        data = data[:rng.randrange(1, len(data))]
    return data


def _pathological(rng: random.Random) -> dict[str, bytes]:
    depth = rng.choice([90, 180, 260])
    nested_ifs = "".join("    " * level + "if x:\n" for level in range(1, depth // 3))
    return {
        "deep_parens.py": f"x = {'(' * depth}1{')' * depth}\n".encode(),
        "deep_lists.py": f"x = {'[' * depth}{']' * depth}\n".encode(),
        "deep_ifs.py": f"def f(x):\n{nested_ifs}{'    ' * (depth // 3)}return x\n".encode(),
        "long_sum.py": ("from typing import Any\n\nX: Any = " + "a + " * 4_000 + "a\n").encode(),
        "too_long_sum.py": ("TOTAL = " + "a + " * 30_000 + "a\n").encode(),
        "long_chain.py": ("x = a" + ".b" * 6_000 + "\n").encode(),
        "nested_lambdas.py": ("f = " + "lambda: " * 300 + "0\n").encode(),
        "nested_defs.py": "".join("    " * level + f"def f{level}():\n"
                                  for level in range(60)).encode() + b"    " * 60 + b"pass\n",
        "huge_string.py": b"BLOB = '" + b"x" * 200_000 + b"'\n",
        "huge_list.py": ("DATA = [" + ", ".join(str(n) for n in range(20_000)) + "]\n").encode(),
        "huge_int.py": b"N = " + b"9" * 5_000 + b"\n",
        "null_byte.py": b"x = 1\n\x00\ny = 2\n",
        "latin1_declared.py": b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\n",
        "unknown_codec.py": b"# coding: no-such-codec\nx = 1\n",
        "bom_latin1.py": b"\xef\xbb\xbf# coding: latin-1\nx = 1\n",
        "invalid_utf8.py": b"x = '\xff\xfe'\n",
        "only_bom.py": b"\xef\xbb\xbf",
        "crlf_mixed.py": b"from typing import Any\r\n\rdef f(x: Any):\r\n    return {'a\x0c': 1}\n",
        "form_feed.py": "\x0cfrom typing import Any\n\x0c\ndef f(é: Any, 名: Any): pass\n".encode(),
        "tabs_spaces.py": b"def f():\n\tif x:\n        return 1\n",
        "unterminated.py": b"s = '''never closed\n" + b"x = 1\n" * 50,
        "many_decorators.py": ("@d\n" * 500 + "def f(): pass\n").encode(),
    }


def _tree(root: Path) -> None:
    rng = random.Random(SEED)
    for name, data in _pathological(rng).items():
        (root / "weird").mkdir(exist_ok=True)
        (root / "weird" / name).write_bytes(data)
    folders = ["api", "views", "services", "app/routes", "app/clients"]
    for index in range(120):
        folder = root / rng.choice(folders)
        folder.mkdir(parents=True, exist_ok=True)
        name = "views.py" if index % 17 == 0 else f"module_{index:03}.py"
        (folder / name).write_bytes(_mutant(rng))
    # Long-line files would be set aside as minified: check them all.
    (root / "pyproject.toml").write_text(
        "[tool.backlint]\ncheck-tests = true\nexclude-generated = false\n", encoding="utf-8")


@pytest.fixture(name="fuzz_tree", scope="module")
def fuzz_tree_fixture(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    _tree(root)
    return root


def _check(root: Path, *args: str):
    result = run(root, "check", "--format", "json", "--no-semgrep", "--select", "BKL", *args)
    assert "Traceback" not in result.stderr
    return result


def test_fuzzed_sources_give_identical_output_for_any_jobs_and_cache_state(
        fuzz_tree: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    one = _check(fuzz_tree, "--no-cache", "--jobs", "1")
    two = _check(fuzz_tree, "--no-cache", "--jobs", "2")
    cold = _check(fuzz_tree, "--cache-dir", cache, "--jobs", "2")
    warm = _check(fuzz_tree, "--cache-dir", cache, "--jobs", "1")
    assert one.stdout == two.stdout == cold.stdout == warm.stdout
    document = json.loads(one.stdout)
    internal = [error for error in document["errors"] if "internal error" in error["message"]]
    assert internal == []
    assert one.exit_code == 1  # findings and file errors, never 2
    # The tree is not all noise: some files parse and have findings, some fail to parse.
    assert len(document["findings"]) >= 10 and len(document["errors"]) >= 10
    assert one.stderr == two.stderr == cold.stderr == warm.stderr


def test_fuzzed_sources_give_identical_output_whatever_the_order_of_the_paths(
        fuzz_tree: Path) -> None:
    folders = sorted(path.name for path in fuzz_tree.iterdir() if path.is_dir())
    forward = _check(fuzz_tree, "--no-cache", "--jobs", "2", *folders)
    backward = _check(fuzz_tree, "--no-cache", "--jobs", "2", *reversed(folders))
    assert forward.stdout == backward.stdout
    assert forward.stdout == _check(fuzz_tree, "--no-cache", "--jobs", "1").stdout
