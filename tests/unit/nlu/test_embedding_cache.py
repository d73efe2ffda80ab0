"""The content-hash embedding cache: round trip, keys per setting, no needless rewrite, damaged files, atomic save."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.nlu.model.embedding_cache import EmbeddingCache, content_key

SETTING = "multilingual-e5-small-q4:query:64"


def _vector(seed: int, dimensions: int = 8) -> np.ndarray:
    vector = np.random.default_rng(seed).normal(size=dimensions)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def _filled(directory: Path) -> EmbeddingCache:
    cache = EmbeddingCache(directory, SETTING, 8)
    cache.put("空调不制冷", _vector(1))
    cache.put("I want a refund", _vector(2))
    cache.put("\ud800 lone surrogate", _vector(3))
    return cache


def test_put_get_save_load_round_trip(tmp_path: Path) -> None:
    cache = _filled(tmp_path / "nested" / "dir")
    assert cache.get("空调不制冷") is not None and len(cache) == 3
    cache.save()
    assert cache.path.is_file() and cache.path.parent == tmp_path / "nested" / "dir"
    loaded = EmbeddingCache(tmp_path / "nested" / "dir", SETTING, 8).load()
    assert len(loaded) == 3
    for seed, text in [(1, "空调不制冷"), (2, "I want a refund"), (3, "\ud800 lone surrogate")]:
        vector = loaded.get(text)
        assert vector is not None and vector.dtype == np.float32
        assert np.array_equal(vector, _vector(seed))
    assert loaded.get("never stored") is None


def test_a_new_cache_reads_nothing_until_load(tmp_path: Path) -> None:
    _filled(tmp_path).save()
    fresh = EmbeddingCache(tmp_path, SETTING, 8)
    assert len(fresh) == 0 and fresh.get("空调不制冷") is None
    assert fresh.load().get("空调不制冷") is not None


def test_loading_a_missing_file_gives_an_empty_cache(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path / "absent", SETTING, 8).load()
    assert len(cache) == 0
    assert not (tmp_path / "absent").exists()


def test_keys_and_files_differ_by_setting(tmp_path: Path) -> None:
    assert content_key(SETTING, "空调") != content_key("multilingual-e5-small-q4:query:128", "空调")
    assert content_key(SETTING, "空调") != content_key(SETTING, "空调 ")
    assert content_key(SETTING, "空调") == content_key(SETTING, "空调")
    short = EmbeddingCache(tmp_path, SETTING, 8)
    long = EmbeddingCache(tmp_path, "multilingual-e5-small-q4:query:128", 8)
    assert short.key("空调") != long.key("空调")
    assert short.path != long.path
    short.put("空调", _vector(1))
    short.save()
    assert long.load().get("空调") is None
    assert EmbeddingCache(tmp_path, SETTING, 8).load().get("空调") is not None


def test_an_unchanged_cache_does_not_rewrite_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _filled(tmp_path).save()
    loaded = EmbeddingCache(tmp_path, SETTING, 8).load()
    before = loaded.path.stat()
    writes: list[str] = []
    monkeypatch.setattr(np, "savez", lambda path, **arrays: writes.append(str(path)))
    loaded.save()
    assert writes == []
    after = loaded.path.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (before.st_ino, before.st_mtime_ns, before.st_size)


def test_a_saved_cache_is_clean_until_the_next_put(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = _filled(tmp_path)
    cache.save()
    writes: list[str] = []
    real_savez = np.savez

    def recording_savez(path: str, **arrays: np.ndarray) -> None:
        writes.append(str(path))
        real_savez(path, **arrays)

    monkeypatch.setattr(np, "savez", recording_savez)
    cache.save()
    assert writes == []
    cache.put("洗衣机漏水", _vector(4))
    cache.save()
    assert len(writes) == 1
    assert EmbeddingCache(tmp_path, SETTING, 8).load().get("洗衣机漏水") is not None


def test_an_empty_cache_that_changed_nothing_writes_no_file(tmp_path: Path) -> None:
    EmbeddingCache(tmp_path, SETTING, 8).load().save()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "content", [b"", b"this is not an npz file at all" * 10, b"PK\x03\x04 damaged zip header"],
    ids=["empty", "garbage", "zip_header"],
)
def test_a_corrupt_file_loads_as_empty(tmp_path: Path, content: bytes) -> None:
    cache = EmbeddingCache(tmp_path, SETTING, 8)
    cache.path.write_bytes(content)
    assert len(cache.load()) == 0


def test_a_truncated_cache_file_loads_as_empty(tmp_path: Path) -> None:
    """A cache file cut short (disk full, copied half-way) is ignored like any other damaged file."""
    cache = _filled(tmp_path)
    cache.save()
    content = cache.path.read_bytes()
    cache.path.write_bytes(content[: len(content) // 2])
    assert len(EmbeddingCache(tmp_path, SETTING, 8).load()) == 0


def test_a_file_with_the_wrong_dimension_or_arrays_loads_as_empty(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, SETTING, 8)
    np.savez(cache.path, keys=np.array(["a", "b"]), vectors=np.ones((2, 5), dtype=np.float32))
    assert len(EmbeddingCache(tmp_path, SETTING, 8).load()) == 0
    np.savez(cache.path, keys=np.array(["a", "b", "c"]), vectors=np.ones((2, 8), dtype=np.float32))
    assert len(EmbeddingCache(tmp_path, SETTING, 8).load()) == 0
    np.savez(cache.path, something=np.ones(3))
    assert len(EmbeddingCache(tmp_path, SETTING, 8).load()) == 0
    np.savez(cache.path, keys=np.array(["a"], dtype=object), vectors=np.ones((1, 8)))  # pickled: not trusted
    assert len(EmbeddingCache(tmp_path, SETTING, 8).load()) == 0


def test_a_damaged_file_is_replaced_by_the_next_save(tmp_path: Path) -> None:
    cache = EmbeddingCache(tmp_path, SETTING, 8)
    cache.path.write_bytes(b"garbage")
    cache.load().put("空调", _vector(1))
    cache.save()
    vector = EmbeddingCache(tmp_path, SETTING, 8).load().get("空调")
    assert vector is not None and np.array_equal(vector, _vector(1))


def test_save_leaves_no_temporary_files(tmp_path: Path) -> None:
    cache = _filled(tmp_path)
    cache.save()
    cache.put("洗衣机漏水", _vector(4))
    cache.save()
    assert [p.name for p in tmp_path.iterdir()] == [cache.path.name]
    assert list(tmp_path.glob("*.tmp.npz")) == []


def test_a_failed_save_keeps_the_old_file_and_no_temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = _filled(tmp_path)
    cache.save()
    old = cache.path.read_bytes()
    cache.put("洗衣机漏水", _vector(4))

    def failing_savez(path: str, **arrays: np.ndarray) -> None:
        Path(path).write_bytes(b"half-written")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez", failing_savez)
    with pytest.raises(OSError, match="disk full"):
        cache.save()
    assert cache.path.read_bytes() == old
    assert list(tmp_path.glob("*.tmp.npz")) == []
    assert [p.name for p in tmp_path.iterdir()] == [cache.path.name]
