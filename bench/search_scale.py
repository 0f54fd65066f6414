"""Vector search at scale in pgvector: HNSW vs exact search, filters, binary-code prefilter.

    .venv/bin/python bench/search_scale.py --n 100000          # ~10 min on 2 busy cores
    .venv/bin/python bench/search_scale.py --n 1000000         # builds take minutes each
    .venv/bin/python bench/search_scale.py --n 1000000 --reuse --m 32 --ef-construction 128

Synthetic 256-d unit vectors (`bench/vector_data.py`): by default `--data calibrated`,
category → kind of item → photo with the covariances of the shipped model's real embeddings;
`--data isotropic` is the older, harder case (isotropic noise around 5 000 centres: the true
neighbours are near-ties). 200 vectors per kind, 20 categories, 10% off-category. Uses its own
database per data kind and size: `BENCH_DATABASE_URL`, else `bench_search_<data>_<n>` on the
embedded server in `.local/pgdata` (never the dev database). `--reuse` keeps the loaded table
and any index already built with the same parameters; `--build-only` stops before the timed
part, so builds can run outside the bench lock; `--only-filtered` builds and times only what the
filtered comparison needs (at 1M it saves two ~15 min HNSW builds). Every figure is measured
in the same run as its baseline, exact (sequential) search, and printed with the ratio.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `vision`, `bench` importable
from bench.common import bench_database_url  # noqa: E402
from bench.vector_data import DIM, GENERATORS, Shape, difficulty  # noqa: E402
from pgvector import Bit
from pgvector.psycopg import register_vector
from tqdm import tqdm

K = 10
PER_KIND = 200
# marketplace.search.selectors.CATEGORY_CODE_CANDIDATES (this script runs without Django).
SITE_CODE_CANDIDATES = 400
EXACT = {"enable_indexscan": "off", "enable_bitmapscan": "off"}  # the baselines' settings


@dataclass
class Row:
    method: str
    recall_at_10: float
    p50_ms: float
    p95_ms: float
    speedup_p50: float = 1.0
    index: str = ""  # the index the plan used, to show the figure is what it claims


def workload(n: int, data: str, queries: int, categories: int):
    """(shape, vectors, their categories, queries, each query's filter category): the same for a
    given size and data kind in every bench that uses it (seeded)."""
    shape = Shape(n=n, kinds=max(n // PER_KIND, 50), categories=categories)
    rng = np.random.default_rng(0)
    generator = GENERATORS[data](shape, rng)
    vectors, vector_categories = generator.sample(shape.n, rng)
    query_vectors, _ = generator.sample(queries, rng)
    # Filtered queries ask for a category other than the query's own kind's most of the time.
    filter_categories = rng.integers(0, shape.categories, queries)
    return shape, vectors, vector_categories, query_vectors, filter_categories


def load(conn, vectors: np.ndarray, categories: np.ndarray) -> None:
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS items")
        cur.execute(f"CREATE TABLE items (id bigint PRIMARY KEY, category int NOT NULL, "
                    f"embedding vector({DIM}) NOT NULL, code bit({DIM}))")
        copy_sql = "COPY items (id, category, embedding) FROM STDIN WITH (FORMAT BINARY)"
        with cur.copy(copy_sql) as copy:
            copy.set_types(["int8", "int4", "vector"])
            for i in tqdm(range(len(vectors)), desc="COPY", unit="row", mininterval=5):
                copy.write_row([i, int(categories[i]), vectors[i]])
        # The code column is what the app stores: the embedding's sign bits.
        cur.execute(f"UPDATE items SET code = binary_quantize(embedding)::bit({DIM})")
        cur.execute("CREATE INDEX ON items (category)")
        # Lets a filtered query rank a category's codes by an index-only scan (no heap reads).
        cur.execute("CREATE INDEX items_category_code ON items (category) INCLUDE (id, code)")
        cur.execute("VACUUM ANALYZE items")


def loaded_rows(conn) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'items'")
        row = cur.fetchone()
        return row[0] if row else 0


def indexes(m: int, ef_construction: int, halfvec: bool, binary: bool) -> dict[str, str]:
    """The HNSW indexes to compare, by name (the parameters are part of the name)."""
    params = f"WITH (m = {m}, ef_construction = {ef_construction})"
    suffix = f"m{m}_efc{ef_construction}"
    wanted = {
        f"items_embedding_hnsw_{suffix}": f"USING hnsw (embedding vector_cosine_ops) {params}"}
    if binary:
        wanted[f"items_code_hnsw_{suffix}"] = f"USING hnsw (code bit_hamming_ops) {params}"
    if halfvec:
        wanted[f"items_half_hnsw_{suffix}"] = (
            f"USING hnsw ((embedding::halfvec({DIM})) halfvec_cosine_ops) {params}")
    return wanted


def build_indexes(conn, wanted: dict[str, str]) -> None:
    """Build the wanted indexes that are missing; drop those on the same expression with other
    parameters (so the planner has one choice). Each index's build time is kept as its comment."""
    expressions = {name.rsplit("_m", 1)[0] for name in wanted}
    with conn.cursor() as cur:
        cur.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'items' "
                    "AND indexdef LIKE '%USING hnsw%'")
        for (name,) in cur.fetchall():
            if name not in wanted and name.rsplit("_m", 1)[0] in expressions:
                cur.execute(f"DROP INDEX {name}")
        # Enough memory for the whole graph (pgvector warns and slows down otherwise).
        cur.execute("SET maintenance_work_mem = '4GB'")
        cur.execute("SET max_parallel_maintenance_workers = 1")
        for name, definition in wanted.items():
            cur.execute("SELECT to_regclass(%s)", [name])
            if cur.fetchone()[0] is not None:
                continue
            print(f"Building {name}…", flush=True)
            started = time.perf_counter()
            cur.execute(f"CREATE INDEX {name} ON items {definition}")
            cur.execute(f"COMMENT ON INDEX {name} IS '{time.perf_counter() - started:.1f}'")


def build_figures(conn) -> dict:
    """Load time, table size, and each index's build seconds and bytes, from the database."""
    with conn.cursor() as cur:
        cur.execute("SELECT obj_description('items'::regclass), pg_relation_size('items')")
        load_s, table_bytes = cur.fetchone()
        cur.execute("SELECT indexrelid::regclass::text, obj_description(indexrelid), "
                    "pg_relation_size(indexrelid) FROM pg_index "
                    "WHERE indrelid = 'items'::regclass ORDER BY 1")
        return {"load_s": float(load_s), "table_bytes": table_bytes} | {
            name: {"seconds": float(seconds), "bytes": size}
            for name, seconds, size in cur.fetchall() if seconds is not None}


def exact_neighbours(vectors, categories, queries, query_categories=None) -> list[np.ndarray]:
    """Ground truth by brute force in numpy (cosine = dot product of unit vectors)."""
    truth = []
    for i, query in enumerate(queries):
        scores = vectors @ query
        if query_categories is not None:
            scores = np.where(categories == query_categories[i], scores, -np.inf)
        top = np.argpartition(-scores, K)[:K]
        truth.append(set(top[np.argsort(-scores[top])].tolist()))
    return truth


def run_queries(conn, sql: str, params_for, truth, settings: dict[str, str]):
    """Run every query in one transaction with `settings`.

    Returns (recall@10, p50 ms, p95 ms, the index named by the first query's plan).
    """
    latencies, hits = [], 0
    with conn.transaction(), conn.cursor() as cur:
        for name, value in settings.items():
            cur.execute(f"SET LOCAL {name} = {value}")
        cur.execute("EXPLAIN " + sql, params_for(0))
        plan = " ".join(row[0] for row in cur.fetchall())
        index = ", ".join(sorted(set(re.findall(r"(?:using|on) (items_\w+)", plan)))) or "seq scan"
        for i, expected in enumerate(truth):
            started = time.perf_counter()
            cur.execute(sql, params_for(i))
            found = {row[0] for row in cur.fetchall()}
            latencies.append((time.perf_counter() - started) * 1000)
            hits += len(found & expected)
    return (hits / (K * len(truth)), float(np.percentile(latencies, 50)),
            float(np.percentile(latencies, 95)), index)


def measure_unfiltered(measure, truth, plain, prefilter, halfvec: bool) -> None:
    """The unfiltered methods against exact search: float and halfvec HNSW, binary prefilter."""
    knn = "SELECT id FROM items ORDER BY embedding <=> %s LIMIT 10"
    knn_half = (f"SELECT id FROM items ORDER BY embedding::halfvec({DIM}) <=> "
                f"%s::vector::halfvec({DIM}) LIMIT 10")
    baseline = measure("exact (sequential scan)", knn, plain, truth, EXACT)
    for ef in (40, 100, 200, 400, 800):
        measure(f"HNSW float, ef_search={ef}", knn, plain, truth, {"hnsw.ef_search": str(ef)},
                baseline)
    for ef in (100, 200, 400) if halfvec else ():
        measure(f"HNSW halfvec, ef_search={ef}", knn_half, plain, truth,
                {"hnsw.ef_search": str(ef)}, baseline)
    for candidates in (100, 400, 1000):
        rerank = (f"WITH c AS MATERIALIZED (SELECT id, embedding FROM items ORDER BY code <~> %s "
                  f"LIMIT {candidates}) SELECT id FROM c ORDER BY embedding <=> %s LIMIT 10")
        measure(f"binary HNSW top-{candidates} + float re-rank", rerank, prefilter, truth,
                {"hnsw.ef_search": str(candidates)}, baseline)


def end_to_end(conn, count: int) -> dict:
    """Photo search as the API runs it, minus HTTP: engine on a phone-sized JPEG, then HNSW."""
    from io import BytesIO

    from PIL import Image

    from vision.engine import Engine

    engine = Engine(device="cpu")
    rng = np.random.default_rng(1)
    photos = []
    for _ in range(min(count, 50)):
        buffer = BytesIO()
        pixels = rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)
        Image.fromarray(pixels).resize((1280, 960), Image.BILINEAR).save(buffer, "JPEG")
        photos.append(buffer.getvalue())
    engine.run(photos[:2])  # warm up
    embed, total = [], []
    with conn.transaction(), conn.cursor() as cur:
        cur.execute("SET LOCAL hnsw.ef_search = 100")
        for photo in photos:
            started = time.perf_counter()
            result = engine.run([photo])[0]
            embedded = time.perf_counter()
            cur.execute("SELECT id FROM items ORDER BY embedding <=> %s LIMIT 24",
                        [result.embedding])
            cur.fetchall()
            embed.append((embedded - started) * 1000)
            total.append((time.perf_counter() - started) * 1000)
    figures = {f"{name}_p{q}_ms": float(np.percentile(times, q))
               for name, times in (("cnn", embed), ("total", total)) for q in (50, 95)}
    print("end to end (1280x960 JPEG → CNN → HNSW top-24): " +
          ", ".join(f"{key}={value:.1f}" for key, value in figures.items()), flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--data", choices=sorted(GENERATORS), default="calibrated")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--categories", type=int, default=20)
    parser.add_argument("--m", type=int, default=16, help="HNSW m")
    parser.add_argument("--ef-construction", type=int, default=64, help="HNSW ef_construction")
    parser.add_argument("--halfvec", action=argparse.BooleanOptionalAction, default=True,
                        help="also build and measure a halfvec HNSW index (half the size)")
    parser.add_argument("--only-filtered", action="store_true",
                        help="measure only the filtered methods; build neither the binary nor "
                             "the halfvec HNSW index (at 1M each takes ~15 min on 2 cores)")
    parser.add_argument("--reuse", action="store_true",
                        help="keep a loaded table of the same size and indexes already built")
    parser.add_argument("--build-only", action="store_true",
                        help="load and build, then stop (run the timed part later with --reuse)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--with-engine", action="store_true",
                        help="also time photo search end to end: the CNN on a query photo + HNSW")
    args = parser.parse_args()
    shape, vectors, categories, queries, filter_categories = workload(
        args.n, args.data, args.queries, args.categories)

    # No server-side prepared statements: a plan cached under one method's settings (e.g. the
    # exact baseline's enable_indexscan = off) would silently be reused by the next method.
    conn = psycopg.connect(bench_database_url(f"bench_search_{args.data}_{args.n}"),
                           autocommit=True, prepare_threshold=None)
    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    register_vector(conn)
    if not (args.reuse and loaded_rows(conn) == shape.n):
        print(f"Loading {shape.n} {args.data} vectors ({shape.kinds} kinds)…", flush=True)
        started = time.perf_counter()
        load(conn, vectors, categories)
        conn.execute(f"COMMENT ON TABLE items IS '{time.perf_counter() - started:.1f}'")
    wanted = indexes(args.m, args.ef_construction, args.halfvec and not args.only_filtered,
                     binary=not args.only_filtered)
    build_indexes(conn, wanted)
    build = build_figures(conn)
    print(build, flush=True)
    if args.build_only:
        return 0

    print("Ground truth (numpy brute force)…", flush=True)
    data_stats = difficulty(vectors, queries)
    print("neighbourhoods of the queries:", data_stats, flush=True)
    truth = None if args.only_filtered else exact_neighbours(vectors, categories, queries)
    truth_filtered = exact_neighbours(vectors, categories, queries, filter_categories)

    def plain(i):
        return [queries[i]]

    def prefilter(i):
        return [Bit(queries[i] > 0), queries[i]]

    def filtered(i):
        return {"q": queries[i], "b": Bit(queries[i] > 0), "c": int(filter_categories[i])}

    knn = "SELECT id FROM items ORDER BY embedding <=> %s LIMIT 10"
    rows: list[Row] = []

    def measure(method, sql, params, expected, settings, baseline=None):
        recall, p50, p95, index = run_queries(conn, sql, params, expected, settings)
        rows.append(Row(method, round(recall, 4), round(p50, 2), round(p95, 2),
                        round(baseline.p50_ms / p50, 1) if baseline else 1.0, index))
        print(f"{method:<56} recall@10={recall:.4f} p50={p50:7.2f} ms p95={p95:7.2f} ms "
              f"[{index}]", flush=True)
        return rows[-1]

    # Untimed: bring the HNSW indexes into the buffer cache as far as it holds them.
    run_queries(conn, knn, plain, truth_filtered, {"hnsw.ef_search": "800"})
    if not args.only_filtered:
        run_queries(conn, "SELECT id FROM items ORDER BY code <~> %s LIMIT 1000",
                    lambda i: [Bit(queries[i] > 0)], truth, {"hnsw.ef_search": "1000"})
        measure_unfiltered(measure, truth, plain, prefilter, args.halfvec)

    def knn_in_category(inner_limit: int = 10, distance: str = "embedding <=> %(q)s") -> str:
        """Filtered k-NN; a materialized CTE re-sorts what a relaxed-order scan returns."""
        return (f"WITH hits AS MATERIALIZED (SELECT id, {distance} AS d FROM items "
                f"WHERE category = %(c)s ORDER BY d LIMIT {inner_limit}) "
                "SELECT id FROM hits ORDER BY d LIMIT 10")

    # The "+ 0" keeps the planner off the HNSW indexes: the category's btree, then exact ranking
    # (of the float vectors from the heap, or of the codes straight from the covering btree).
    def codes_in_category(candidates: int) -> str:
        """What the site runs for a large category: its `candidates` nearest codes, re-ranked
        (without parallel workers, as the site)."""
        return (f"WITH c AS MATERIALIZED (SELECT id FROM items WHERE category = %(c)s "
                f"ORDER BY (code <~> %(b)s) + 0 LIMIT {candidates}) SELECT id FROM items "
                f"WHERE id IN (SELECT id FROM c) ORDER BY embedding <=> %(q)s LIMIT 10")

    baseline_f = measure("exact + category filter", knn_in_category(), filtered, truth_filtered,
                         EXACT)
    iterative = {"hnsw.ef_search": "100", "hnsw.iterative_scan": "relaxed_order"}
    wide = {"hnsw.max_scan_tuples": "200000", "hnsw.scan_mem_multiplier": "4"}
    for method, sql, settings in [
        ("HNSW + filter, iterative relaxed, ef=100", knn_in_category(), iterative),
        ("HNSW + filter, iterative relaxed, over-fetch 40", knn_in_category(40), iterative),
        ("HNSW + filter, iterative strict, ef=100", knn_in_category(),
         {**iterative, "hnsw.iterative_scan": "strict_order"}),
        ("HNSW + filter, relaxed, ef=100, max_scan_tuples 200k", knn_in_category(),
         {**iterative, **wide}),
        ("HNSW + filter, relaxed, ef=400, over-fetch 40 (the site's fallback)",
         knn_in_category(40), {**iterative, "hnsw.ef_search": "400"}),
        ("category btree + exact distance (no HNSW)",
         knn_in_category(distance="(embedding <=> %(q)s) + 0"), {}),
        *[(f"category btree codes top-{candidates} + float re-rank"
           + (" (the site)" if candidates == SITE_CODE_CANDIDATES else ""),
           codes_in_category(candidates), {"max_parallel_workers_per_gather": "0"})
          for candidates in (200, 400, 800)],
    ]:
        measure(method, sql, filtered, truth_filtered, settings, baseline_f)

    shared_buffers = conn.execute("SHOW shared_buffers").fetchone()[0]
    report = {"data": args.data, "shape": asdict(shape), "queries": args.queries,
              "shared_buffers": shared_buffers,
              "hnsw": {"m": args.m, "ef_construction": args.ef_construction},
              "query_neighbourhoods": data_stats, "build": build,
              "rows": [asdict(row) for row in rows]}
    if args.with_engine:
        report["end_to_end"] = end_to_end(conn, args.queries)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
