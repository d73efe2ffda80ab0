"""Temperature scaling and ECE (`bot.nlu.model.calibration`), and the calibrated, dense-aware `fit_linear_model`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse

from bot.nlu.model.calibration import expected_calibration_error, fit_temperature, negative_log_likelihood, softmax
from bot.nlu.model.linear_model import LinearModel, fit_linear_model

LABELS = ["fault", "refund", "install"]


def _noisy_problem(rows: int, seed: int) -> tuple[scipy.sparse.csr_matrix, list[str]]:
    """Sparse counts where each class prefers its own block of features, with plenty of overlap (not separable)."""
    rng = np.random.default_rng(seed)
    labels = [LABELS[i % 3] for i in range(rows)]
    counts = np.zeros((rows, 30))
    for row, label in enumerate(labels):
        own = LABELS.index(label) * 10
        counts[row, own + rng.choice(10, size=2, replace=False)] = rng.integers(1, 3, size=2)
        counts[row, rng.choice(30, size=3, replace=False)] += rng.integers(1, 3, size=3)
    return scipy.sparse.csr_matrix(counts), labels


def _dense_only_problem(rows: int, seed: int) -> tuple[scipy.sparse.csr_matrix, np.ndarray, list[str]]:
    """Sparse counts that do not depend on the label; the label is the direction of the dense row."""
    rng = np.random.default_rng(seed)
    labels = [LABELS[i % 3] for i in range(rows)]
    counts = scipy.sparse.csr_matrix(rng.integers(0, 3, size=(rows, 20)).astype(float))
    dense = rng.normal(scale=0.15, size=(rows, 6))
    for row, label in enumerate(labels):
        dense[row, LABELS.index(label)] += 1.0
    dense /= np.linalg.norm(dense, axis=1, keepdims=True)
    return counts, dense, labels


# --- softmax, temperature, ECE -------------------------------------------------------------------------------------


def test_softmax_rows_sum_to_one_and_temperature_keeps_the_argmax() -> None:
    scores = np.random.default_rng(0).normal(scale=4.0, size=(50, 5))
    plain = softmax(scores)
    assert plain.shape == (50, 5)
    assert np.allclose(plain.sum(axis=1), 1.0) and np.all(plain >= 0)
    for temperature in (0.3, 2.5, 10.0):
        scaled = softmax(scores, temperature)
        assert np.allclose(scaled.sum(axis=1), 1.0)
        assert np.array_equal(scaled.argmax(axis=1), scores.argmax(axis=1))
    assert np.all(softmax(scores, 3.0).max(axis=1) < plain.max(axis=1))  # hotter: less confident
    assert np.all(softmax(scores, 0.5).max(axis=1) > plain.max(axis=1))  # colder: more confident


def test_softmax_matches_the_formula_and_survives_huge_scores() -> None:
    scores = np.array([[1.0, 2.0, 3.0]])
    expected = np.exp(scores / 2.0) / np.exp(scores / 2.0).sum()
    assert np.allclose(softmax(scores, 2.0), expected)
    huge = softmax(np.array([[1000.0, 999.0, -1000.0]]))
    assert np.all(np.isfinite(huge)) and huge[0, 0] == pytest.approx(1 / (1 + np.exp(-1.0)))


def test_fit_temperature_recovers_a_known_temperature() -> None:
    rng = np.random.default_rng(7)
    scores = rng.normal(scale=3.0, size=(4000, 5))
    probabilities = softmax(scores, 2.5)
    targets = np.array([rng.choice(5, p=row) for row in probabilities])
    temperature = fit_temperature(scores, targets)
    assert 2.0 < temperature < 3.1
    # It is the minimum of the NLL: the true and the fitted temperature both beat T=1.
    assert negative_log_likelihood(scores, targets, temperature) < negative_log_likelihood(scores, targets, 1.0)


def test_fit_temperature_sharpens_an_underconfident_model() -> None:
    rng = np.random.default_rng(3)
    scores = rng.normal(scale=1.0, size=(3000, 4))
    targets = np.array([rng.choice(4, p=row) for row in softmax(scores, 0.5)])
    assert fit_temperature(scores, targets) < 0.7


def test_fit_temperature_without_data_is_one() -> None:
    assert fit_temperature(np.zeros((0, 3)), np.zeros(0, dtype=int)) == 1.0


def test_ece_is_zero_for_perfectly_calibrated_bins() -> None:
    confidences = [0.85] * 20 + [0.35] * 20
    correct = [True] * 17 + [False] * 3 + [True] * 7 + [False] * 13
    assert expected_calibration_error(confidences, correct) == pytest.approx(0.0, abs=1e-12)


def test_ece_on_a_hand_computed_example() -> None:
    # One bin: |accuracy - confidence| = |0.5 - 0.85|.
    assert expected_calibration_error([0.85, 0.85], [True, False]) == pytest.approx(0.35)
    # Two bins of equal weight: 0.5 * |0.5 - 0.85| + 0.5 * |1.0 - 0.65| = 0.35.
    assert expected_calibration_error([0.85, 0.85, 0.65, 0.65], [True, False, True, True]) == pytest.approx(0.35)
    # Unequal weights: 3/4 * |2/3 - 0.95| + 1/4 * |0 - 0.15| = 0.2125 + 0.0375.
    assert expected_calibration_error([0.95, 0.95, 0.95, 0.15], [True, True, False, False]) == pytest.approx(0.25)
    # Bins are per confidence range: 0.81 and 0.89 share one (mean conf 0.85, acc 1.0) -> 0.15.
    assert expected_calibration_error([0.81, 0.89], [True, True]) == pytest.approx(0.15)
    # Confidences of 0 and 1 land in the first and the last bin.
    assert expected_calibration_error([1.0, 0.0], [True, False]) == pytest.approx(0.0)


def test_ece_of_nothing_is_zero() -> None:
    assert expected_calibration_error([], []) == 0.0


# --- fit_linear_model: calibration and dense features --------------------------------------------------------------


def test_calibration_stores_a_temperature_and_its_statistics(tmp_path: Path) -> None:
    counts, labels = _noisy_problem(90, seed=1)
    model = fit_linear_model(counts, labels, calibration_fraction=0.2, c=50.0)
    stats = model.calibration
    assert stats["heldout_n"] == 18.0
    assert {"ece_before", "ece_after", "nll_before", "nll_after", "temperature"} <= set(stats)
    assert stats["temperature"] == model.temperature and model.temperature != 1.0
    assert 0.05 <= model.temperature <= 20.0
    assert 0.0 <= stats["ece_before"] <= 1.0 and 0.0 <= stats["ece_after"] <= 1.0
    assert stats["nll_after"] <= stats["nll_before"] + 1e-6  # T=1 is one of the candidates
    # The temperature changes confidences, never the ranking.
    assert np.array_equal(model.predict_proba(counts).argmax(axis=1), model.scores(counts).argmax(axis=1))
    assert np.allclose(model.predict_proba(counts), softmax(model.scores(counts), model.temperature))
    model.save(tmp_path / "model.npz")
    loaded = LinearModel.load(tmp_path / "model.npz")
    assert loaded.temperature == model.temperature
    assert loaded.calibration == pytest.approx(stats)
    assert np.allclose(loaded.predict_proba(counts), model.predict_proba(counts))


def test_no_calibration_without_a_fraction_or_with_too_little_data() -> None:
    counts, labels = _noisy_problem(30, seed=2)
    plain = fit_linear_model(counts, labels)
    assert plain.temperature == 1.0 and plain.calibration == {}
    tiny = fit_linear_model(counts[:6], labels[:6], calibration_fraction=0.2)  # 1 held out < 3 classes
    assert tiny.temperature == 1.0 and tiny.calibration == {}


def test_calibrated_and_uncalibrated_models_rank_alike() -> None:
    counts, labels = _noisy_problem(90, seed=4)
    calibrated = fit_linear_model(counts, labels, calibration_fraction=0.2)
    plain = fit_linear_model(counts, labels)
    assert calibrated.labels == plain.labels == sorted(LABELS)
    # The final fit uses every example either way: the same regression, up to the solver's tolerance.
    assert np.allclose(calibrated.scores(counts), plain.scores(counts), atol=1e-2)


def test_dense_features_carry_a_label_the_sparse_ones_do_not(tmp_path: Path) -> None:
    counts, dense, labels = _dense_only_problem(60, seed=5)
    model = fit_linear_model(counts, labels, dense=dense, dense_weight=1.0, c=10.0, block_widths=[20])
    assert model.dense_dimensions == 6 and model.dense_coef.shape == (3, 6)
    assert model.block_widths == [20]
    test_counts, test_dense, test_labels = _dense_only_problem(30, seed=6)
    predicted = [model.labels[i] for i in model.predict_proba(test_counts, test_dense).argmax(axis=1)]
    assert predicted == test_labels
    # An empty sparse row: the dense direction alone decides.
    empty = scipy.sparse.csr_matrix((3, 20))
    directions = np.eye(6)[:3]
    assert [model.labels[i] for i in model.predict_proba(empty, directions).argmax(axis=1)] == LABELS
    # Without its dense block every row of the same sparse counts looks alike.
    without = model.predict_proba(scipy.sparse.vstack([empty[0], empty[0]]))
    assert np.allclose(without[0], without[1])
    model.save(tmp_path / "dense.npz")
    loaded = LinearModel.load(tmp_path / "dense.npz")
    assert loaded.dense_dimensions == 6 and loaded.block_widths == [20]
    assert np.allclose(loaded.predict_proba(test_counts, test_dense), model.predict_proba(test_counts, test_dense))


def test_dense_weight_scales_the_dense_block_at_prediction() -> None:
    counts, dense, labels = _dense_only_problem(60, seed=8)
    model = fit_linear_model(counts, labels, dense=dense, dense_weight=0.5)
    assert model.dense_weight == 0.5
    rows = scipy.sparse.csr_matrix((1, 20))
    expected = model.intercept + 0.5 * dense[:1] @ model.dense_coef.T
    assert np.allclose(model.scores(rows, dense[:1]), expected)


def test_dense_features_of_the_wrong_width_are_refused() -> None:
    counts, dense, labels = _dense_only_problem(30, seed=9)
    model = fit_linear_model(counts, labels, dense=dense)
    with pytest.raises(ValueError, match="dense features"):
        model.scores(counts[:1], np.ones((1, 5)))


def test_dense_features_with_calibration_survive_save_and_load(tmp_path: Path) -> None:
    counts, dense, labels = _dense_only_problem(90, seed=10)
    model = fit_linear_model(counts, labels, dense=dense, calibration_fraction=0.2, block_widths=[12, 8])
    assert model.calibration["heldout_n"] == 18.0 and model.dense_dimensions == 6
    model.save(tmp_path / "both.npz")
    loaded = LinearModel.load(tmp_path / "both.npz")
    assert loaded.block_widths == [12, 8] and loaded.temperature == model.temperature
    assert np.allclose(loaded.predict_proba(counts, dense), model.predict_proba(counts, dense))


def test_two_classes_give_two_probability_columns() -> None:
    counts, dense, labels = _dense_only_problem(40, seed=11)
    keep = [i for i, label in enumerate(labels) if label != "install"]
    model = fit_linear_model(
        counts[keep], [labels[i] for i in keep], dense=dense[keep], calibration_fraction=0.25
    )
    assert model.labels == ["fault", "refund"] and model.coef.shape[0] == 2
    probabilities = model.predict_proba(counts[keep], dense[keep])
    assert probabilities.shape == (len(keep), 2) and np.allclose(probabilities.sum(axis=1), 1.0)
    assert [model.labels[i] for i in probabilities.argmax(axis=1)] == [labels[i] for i in keep]
