"""A deterministic TS/JS backend for the benchmark, with a manifest of planted findings.

    python bench/ts_generate.py OUT --files N [--seed 0]

The tree is a monorepo-shaped Express + Next.js backend with a React front end beside it: route
modules (Express routers, Next.js `route.ts` handlers), controllers, services, Prisma helpers,
plain JavaScript utilities and `.tsx` components, about 120-180 lines a file. Some handlers are
fat (two Prisma calls: BKL301) and some server types are `any` (BKL401); components use `any`
too, which is client code and never a finding. `bench_manifest.json` lists every planted
finding as (path, line, code).
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

KINDS = ("router", "next_route", "controller", "service", "util_js", "component")
WEIGHTS = (3, 2, 2, 3, 1, 2)


def generate(root: Path, files: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "package.json").write_text(
        '{"name": "bench-ts", "private": true, "dependencies": {"express": "^4.19.0", '
        '"next": "^14.2.0", "@prisma/client": "^5.0.0", "react": "^18.3.0"}}\n', encoding="utf-8")
    (root / "backlint.toml").write_text("# benchmark tree: the defaults\n", encoding="utf-8")
    violations: list[dict] = []
    for index in range(files):
        kind = rng.choices(KINDS, WEIGHTS)[0]
        out = _File()
        path = _WRITERS[kind](out, index, rng)
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(out.lines) + "\n", encoding="utf-8")
        violations.extend({"path": path, "line": line, "code": code}
                          for line, code in out.planted)
    counts: dict[str, int] = {}
    for violation in violations:
        counts[violation["code"]] = counts.get(violation["code"], 0) + 1
    manifest = {"files": files, "seed": seed, "violations": violations, "counts": counts}
    (root / "bench_manifest.json").write_text(json.dumps(manifest, indent=1) + "\n",
                                              encoding="utf-8")
    return manifest


class _File:
    """Lines of one generated file and the findings planted in it."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.planted: list[tuple[int, str]] = []

    def add(self, *lines: str, code: str | None = None) -> None:
        if code is not None:
            self.planted.append((len(self.lines) + 1, code))
        self.lines.extend(lines)


def _types(out: _File, index: int, rng: random.Random, plant_any: bool) -> None:
    out.add(f"export interface Order{index} {{", "  id: string;", "  total: number;",
            "  lines: { sku: string; quantity: number }[];", "}", "")
    if plant_any and rng.random() < 0.5:
        out.add(f"export type Payload{index} = Record<string, any>;", code="BKL401")
    else:
        out.add(f"export type Payload{index} = Record<string, unknown>;")
    out.add("")


def _router(out: _File, index: int, rng: random.Random) -> str:
    out.add("import { Router, Request, Response } from 'express';",
            "import { prisma } from '../lib/prisma';",
            f"import {{ summarise{index % 50} }} from '../services/orders-{index % 50}';", "",
            "const router = Router();", "")
    _types(out, index, rng, plant_any=True)
    for number in range(rng.randint(3, 5)):
        fat = rng.random() < 0.3
        route = f"'/orders-{index}/{number}/:id'"
        out.add(f"router.get({route}, async (req: Request, res: Response) => {{",
                code="BKL301" if fat else None)
        out.add("  try {", "    const id = String(req.params.id);")
        out.add("    const order = await prisma.order.findUnique({ where: { id } });")
        if fat:
            out.add("    const lines = await prisma.orderLine.findMany({ where: { orderId: id } "
                    "});", "    res.json({ success: true, data: { ...order, lines } });")
        else:
            out.add(f"    res.json({{ success: true, data: summarise{index % 50}(order) }});")
        out.add("  } catch (error) {", "    console.error('orders', error);",
                "    res.status(500).json({ success: false, error: 'Internal error' });",
                "  }", "});", "")
    out.add("export default router;")
    return f"server/src/routes/orders-{index}.ts"


def _next_route(out: _File, index: int, rng: random.Random) -> str:
    out.add("import { NextResponse } from 'next/server';",
            "import { prisma } from '@/lib/prisma';", "")
    _types(out, index, rng, plant_any=True)
    fat = rng.random() < 0.4
    out.add("export async function GET(request: Request) {", code="BKL301" if fat else None)
    out.add("  const url = new URL(request.url);",
            "  const take = Number(url.searchParams.get('take') ?? 20);",
            "  const items = await prisma.item.findMany({ take });")
    if fat:
        out.add("  const total = await prisma.item.count();")
    out.add("  return NextResponse.json({ success: true, data: items });", "}", "")
    out.add("export async function POST(request: Request) {",
            "  const body = await request.json();",
            "  const item = await prisma.item.create({ data: body });",
            "  return NextResponse.json({ success: true, data: item }, { status: 201 });", "}")
    _helpers(out, index, rng, 6)
    return f"web/app/api/items-{index}/route.ts"


def _controller(out: _File, index: int, rng: random.Random) -> str:
    out.add("import type { Request, Response } from 'express';",
            "import { prisma } from '../lib/prisma';", "")
    _types(out, index, rng, plant_any=True)
    for number in range(rng.randint(2, 4)):
        fat = rng.random() < 0.3
        out.add(f"export const handle{number} = async (req: Request, res: Response) => {{",
                code="BKL301" if fat else None)
        out.add("  const customer = await prisma.customer.findUnique({ where: { id: req.params.id "
                "} });")
        if fat:
            out.add("  await prisma.auditLog.create({ data: { customerId: req.params.id } });")
        out.add("  res.json({ success: true, data: customer });", "};", "")
    _helpers(out, index, rng, 5)
    return f"server/src/controllers/customers-{index}.ts"


def _service(out: _File, index: int, rng: random.Random) -> str:
    out.add("import { prisma } from '../lib/prisma';", "")
    _types(out, index, rng, plant_any=True)
    out.add(f"export async function summarise{index}(order: {{ id: string }} | null) {{",
            "  if (!order) {", "    return null;", "  }",
            "  const lines = await prisma.orderLine.findMany({ where: { orderId: order.id } });",
            "  return lines.reduce((sum, line) => sum + line.quantity, 0);", "}", "")
    _helpers(out, index, rng, 9)
    return f"server/src/services/orders-{index}.ts"


def _util_js(out: _File, index: int, rng: random.Random) -> str:
    out.add("'use strict';", "")
    for number in range(rng.randint(8, 12)):
        out.add(f"function format{number}(value, digits) {{",
                "  const fixed = Number(value).toFixed(digits);",
                "  return fixed.replace(/\\B(?=(\\d{3})+(?!\\d))/g, ',');", "}", "")
    out.add("module.exports = { format0 };")
    return f"server/src/lib/format-{index}.js"


def _component(out: _File, index: int, rng: random.Random) -> str:
    out.add("import { useState } from 'react';", "",
            f"export function Panel{index}({{ rows }}: {{ rows: any[] }}) {{",
            "  const [open, setOpen] = useState(false);", "  return (",
            "    <section>", "      <button onClick={() => setOpen(!open)}>Toggle</button>",
            "      {open && rows.map((row) => <p key={row.id}>{row.name} &amp; more</p>)}",
            "    </section>", "  );", "}")
    _helpers(out, index, rng, 6)
    return f"web/components/panel-{index}.tsx"


def _helpers(out: _File, index: int, rng: random.Random, count: int) -> None:
    for number in range(rng.randint(count - 2, count + 2)):
        signature = f"compute{number}(values: number[], factor = {number + 1}): number"
        out.add("", f"export function {signature} {{",
                "  let total = 0;", "  for (const value of values) {",
                f"    if (value % {number + 2} === 0) {{", "      total += value * factor;",
                "    } else {", f"      total -= value / {index % 7 + 1};", "    }", "  }",
                "  return Math.round(total);", "}")


_WRITERS = {"router": _router, "next_route": _next_route, "controller": _controller,
            "service": _service, "util_js": _util_js, "component": _component}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=4000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    manifest = generate(args.out, args.files, args.seed)
    print(f"wrote {args.files} files, {len(manifest['violations'])} planted findings "
          f"{manifest['counts']}")


if __name__ == "__main__":
    main()
