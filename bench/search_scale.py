"""Vector search at scale in pgvector: HNSW vs exact search, filters, binary-code prefilter.

    .venv/bin/python bench/search_scale.py --n 100000          # ~10 min on 2 busy cores
    .venv/bin/python bench/search_scale.py --n 1000000         # hours on 2 cores

Synthetic 256-d unit vectors drawn around cluster centres (like product embeddings: many
near-duplicates of a few thousand kinds of item, not uniform noise), each cluster mostly in one
category. Uses its own database: `BENCH_DATABASE_URL`, else a `bench_search` database on the
embedded server in `.local/pgdata` (never the dev database). Every figure is measured in the
same run as its baseline, exact (sequential) search, and printed with the ratio.
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
from pgvector.psycopg import register_vector
from tqdm import tqdm

DIM = 256
K = 10


@dataclass
class Config:
    n: int
    clusters: int
    categories: int
    queries: int
    seed: int = 0
    spread: float = 0.35  # within-cluster noise relative to the (unit) centre


@dataclass
class Row:
    method: str
    recall_at_10: float
    p50_ms: float
    p95_ms: float
    speedup_p50: float = 1.0
    index: str = ""  # the index the plan used, to show the figure is what it claims


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def clustered(config: Config, count: int, rng: np.random.Generator, centres, centre_category):
    """`count` vectors around random centres, with their categories (10% off-category)."""
    which = rng.integers(0, len(centres), count)
    noise = rng.standard_normal((count, DIM)).astype(np.float32) * (config.spread / np.sqrt(DIM))
    vectors = unit(centres[which] + noise)
    categories = centre_category[which].copy()
    off = rng.random(count) < 0.1
    categories[off] = rng.integers(0, config.categories, int(off.sum()))
    return vectors, categories


def load(conn, vectors: np.ndarray, categories: np.ndarray) -> None:
    with conn.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS items")
        cur.execute(f"CREATE TABLE items (id bigint PRIMARY KEY, category int NOT NULL, "
                    f"embedding vector({DIM}) NOT NULL, code bit({DIM}))")
        with cur.copy("COPY items (id, category, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "int4", "vector"])
            for i in tqdm(range(len(vectors)), desc="COPY", unit="row", mininterval=5):
                copy.write_row([i, int(categories[i]), vectors[i]])
        # The code column is what the app stores: the embedding's sign bits.
        cur.execute(f"UPDATE items SET code = binary_quantize(embedding)::bit({DIM})")
        cur.execute("CREATE INDEX ON items (category)")
        cur.execute("VACUUM ANALYZE items")


def build_index(conn, sql: str) -> tuple[float, int]:
    """Build an index; return (seconds, size in bytes)."""
    with conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '2GB'")
        cur.execute("SET max_parallel_maintenance_workers = 1")
        started = time.perf_counter()
        cur.execute(sql)
        seconds = time.perf_counter() - started
        name = sql.split()[2]
        cur.execute("SELECT pg_relation_size(%s::regclass)", [name])
        return seconds, cur.fetchone()[0]


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
            cur.execute("SELECT id FROM items ORDER BY embedding <=> %s LIMIT 24", [result.embedding])
            cur.fetchall()
            embed.append((embedded - started) * 1000)
            total.append((time.perf_counter() - started) * 1000)
    figures = {"cnn_p50_ms": float(np.percentile(embed, 50)), "cnn_p95_ms": float(np.percentile(embed, 95)),
               "total_p50_ms": float(np.percentile(total, 50)), "total_p95_ms": float(np.percentile(total, 95))}
    print("end to end (1280x960 JPEG → CNN → HNSW top-24): " +
          ", ".join(f"{key}={value:.1f}" for key, value in figures.items()), flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--categories", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the loaded table and indexes")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--with-engine", action="store_true",
                        help="also time photo search end to end: the CNN on a query photo + HNSW")
    args = parser.parse_args()
    config = Config(n=args.n, clusters=max(args.n // 200, 50), categories=args.categories,
                    queries=args.queries)
    rng = np.random.default_rng(config.seed)
    centres = unit(rng.standard_normal((config.clusters, DIM)))
    centre_category = rng.integers(0, config.categories, config.clusters)
    vectors, categories = clustered(config, config.n, rng, centres, centre_category)
    queries, query_categories = clustered(config, config.queries, rng, centres, centre_category)
    # Filtered queries ask for a category other than the query's own cluster's most of the time.
    filter_categories = rng.integers(0, config.categories, config.queries)

    # No server-side prepared statements: a plan cached under one method's settings (e.g. the
    # exact baseline's enable_indexscan = off) would silently be reused by the next method.
    conn = psycopg.connect(bench_database_url("bench_search"), autocommit=True, prepare_threshold=None)
    conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    register_vector(conn)
    build = {}
    if args.reuse and args.json and args.json.exists():
        build = json.loads(args.json.read_text()).get("build", {})
    if not args.reuse:
        print(f"Loading {config.n} vectors ({config.clusters} clusters)…", flush=True)
        started = time.perf_counter()
        load(conn, vectors, categories)
        build["load_s"] = time.perf_counter() - started
        build["hnsw_float_s"], build["hnsw_float_bytes"] = build_index(
            conn, "CREATE INDEX items_embedding_hnsw ON items USING hnsw (embedding vector_cosine_ops) "
                  "WITH (m = 16, ef_construction = 64)")
        build["hnsw_code_s"], build["hnsw_code_bytes"] = build_index(
            conn, "CREATE INDEX items_code_hnsw ON items USING hnsw (code bit_hamming_ops) "
                  "WITH (m = 16, ef_construction = 64)")
        with conn.cursor() as cur:
            cur.execute("SELECT pg_relation_size('items')")
            build["table_bytes"] = cur.fetchone()[0]
        print({key: round(value, 1) for key, value in build.items()}, flush=True)

    print("Ground truth (numpy brute force)…", flush=True)
    truth = exact_neighbours(vectors, categories, queries)
    truth_filtered = exact_neighbours(vectors, categories, queries, filter_categories)
    from pgvector import Bit

    def plain(i):
        return [queries[i]]

    def prefilter(i):
        return [Bit(queries[i] > 0), queries[i]]

    knn = "SELECT id FROM items ORDER BY embedding <=> %s LIMIT 10"
    rows: list[Row] = []
    exact = {"enable_indexscan": "off", "enable_bitmapscan": "off"}

    def measure(method, sql, params, expected, settings):
        recall, p50, p95, index = run_queries(conn, sql, params, expected, settings)
        rows.append(Row(method, round(recall, 4), round(p50, 2), round(p95, 2), index=index))
        print(f"{method:<48} recall@10={recall:.4f} p50={p50:7.2f} ms p95={p95:7.2f} ms "
              f"[{index}]", flush=True)
        return rows[-1]

    baseline = measure("exact (sequential scan)", knn, plain, truth, exact)
    for ef in (40, 100, 200, 400):
        row = measure(f"HNSW float, ef_search={ef}", knn, plain, truth, {"hnsw.ef_search": str(ef)})
        row.speedup_p50 = round(baseline.p50_ms / row.p50_ms, 1)
    def filtered(i):
        return {"q": queries[i], "c": int(filter_categories[i])}

    def knn_in_category(inner_limit: int = 10, distance: str = "embedding <=> %(q)s") -> str:
        """Filtered k-NN; a materialized CTE re-sorts what a relaxed-order scan returns."""
        return (f"WITH hits AS MATERIALIZED (SELECT id, {distance} AS d FROM items "
                f"WHERE category = %(c)s ORDER BY d LIMIT {inner_limit}) "
                "SELECT id FROM hits ORDER BY d LIMIT 10")

    baseline_f = measure("exact + category filter", knn_in_category(), filtered, truth_filtered,
                         exact)
    iterative = {"hnsw.ef_search": "100", "hnsw.iterative_scan": "relaxed_order"}
    for method, sql, settings in [
        ("HNSW + filter, iterative relaxed, ef=100", knn_in_category(), iterative),
        ("HNSW + filter, iterative relaxed, over-fetch 40", knn_in_category(40), iterative),
        ("HNSW + filter, iterative strict, ef=100", knn_in_category(),
         {**iterative, "hnsw.iterative_scan": "strict_order"}),
        # The "+ 0" keeps the planner off the vector index: the category's btree, then exact.
        ("category btree + exact distance (no HNSW)",
         knn_in_category(distance="(embedding <=> %(q)s) + 0"), {}),
    ]:
        row = measure(method, sql, filtered, truth_filtered, settings)
        row.speedup_p50 = round(baseline_f.p50_ms / row.p50_ms, 1)
    for candidates in (100, 400, 800):
        rerank = (f"WITH c AS MATERIALIZED (SELECT id, embedding FROM items ORDER BY code <~> %s "
                  f"LIMIT {candidates}) SELECT id FROM c ORDER BY embedding <=> %s LIMIT 10")
        row = measure(f"binary HNSW top-{candidates} + float re-rank", rerank, prefilter, truth,
                      {"hnsw.ef_search": str(candidates)})
        row.speedup_p50 = round(baseline.p50_ms / row.p50_ms, 1)

    report = {"config": asdict(config), "build": build, "rows": [asdict(row) for row in rows]}
    if args.with_engine:
        report["end_to_end"] = end_to_end(conn, args.queries)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
