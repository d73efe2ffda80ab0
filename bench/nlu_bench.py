"""NLU figures: parse latency of our pipeline and of Rasa's default pipeline trained on the same data in the same
run (`nlu_parse_*`, `default_parse_*`), and our full training time (`train_s`)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
WARMUP = 30


def _train(config: Path, out: Path, name: str, nlu_only: bool) -> float:
    rasa = str(Path(sys.executable).parent / "rasa")
    argv = [rasa, "train", *(["nlu"] if nlu_only else []), "--config", str(config), "--out", str(out),
            "--fixed-model-name", name, "--quiet"]
    if nlu_only:
        argv += ["--nlu", "data/nlu"]
    started = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def sample_texts() -> list[str]:
    """Our own held-out utterances (both languages): realistic lengths and scripts."""
    from rasa.shared.nlu.training_data.loading import load_data

    texts: list[str] = []
    for path in sorted((ROOT / "tests" / "nlu").glob("heldout_*.yml")):
        texts += [m.get("text") for m in load_data(str(path)).intent_examples]
    return texts


async def _latencies(model: Path, texts: list[str], rounds: int) -> list[float]:
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    for text in texts[:WARMUP]:
        await agent.parse_message(text)
    samples: list[float] = []
    for _ in range(rounds):
        for text in texts:
            started = time.perf_counter()
            await agent.parse_message(text)
            samples.append((time.perf_counter() - started) * 1000)
    return samples


def _pct(samples: list[float], prefix: str) -> dict[str, float]:
    return {f"{prefix}_p50_ms": round(float(np.percentile(samples, 50)), 3),
            f"{prefix}_p99_ms": round(float(np.percentile(samples, 99)), 3)}


def run_nlu_bench(rounds: int = 2) -> dict[str, float]:
    """Train ours (full model, timed) and the default NLU pipeline, then time parsing on the same texts."""
    results: dict[str, float] = {}
    texts = sample_texts()
    with tempfile.TemporaryDirectory(prefix="nlu-bench-") as tmp:
        out = Path(tmp)
        results["train_s"] = round(_train(ROOT / "config.yml", out, "ours", nlu_only=False), 1)
        # Rasa writes the defaults it chose into an empty config as comments: train from a copy.
        default_config = out / "default_config.yml"
        shutil.copy(ROOT / "bench" / "default_config.yml", default_config)
        _train(default_config, out, "default", nlu_only=True)
        # Interleave the two models' runs so that machine noise hits both alike.
        ours: list[float] = []
        default: list[float] = []
        for _ in range(rounds):
            ours += asyncio.run(_latencies(out / "ours.tar.gz", texts, 1))
            default += asyncio.run(_latencies(out / "default.tar.gz", texts, 1))
    results.update(_pct(ours, "nlu_parse"))
    results.update(_pct(default, "default_parse"))
    return results


if __name__ == "__main__":
    import json

    print(json.dumps(run_nlu_bench(), indent=2))
