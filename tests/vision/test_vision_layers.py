"""GeM pooling and the GrokNet head."""
import torch

from vision.model import GrokHead, HeadSpec, ModelConfig
from vision.pooling import GeM, gem


def test_gem_p1_is_average_pooling_and_large_p_tends_to_max():
    x = torch.rand(2, 5, 7, 7) + 0.01
    torch.testing.assert_close(gem(x, 1.0), x.mean(dim=(-2, -1)))
    assert torch.allclose(gem(x, 60.0), x.amax(dim=(-2, -1)), atol=0.1)


def test_gem_p_is_learnable():
    pool = GeM(3.0)
    pool(torch.rand(1, 4, 3, 3)).sum().backward()
    assert pool.p.grad is not None and pool.p.grad.abs() > 0


def test_head_embeds_unit_vectors_and_is_seeded():
    config = ModelConfig(heads=[HeadSpec("category", ["a", "b", "c"])])
    head_a, head_b = GrokHead(config).eval(), GrokHead(config).eval()
    features = torch.rand(3, 1280, 7, 7)
    embedding, logits = head_a(features)
    assert embedding.shape == (3, 256) and logits["category"].shape == (3, 3)
    torch.testing.assert_close(embedding.norm(dim=-1), torch.ones(3))
    torch.testing.assert_close(head_a.projection.weight, head_b.projection.weight)
    # the untrained projection is orthonormal: it preserves inner products of its rows' span
    weight = head_a.projection.weight
    torch.testing.assert_close(weight @ weight.T, torch.eye(256), atol=1e-5, rtol=0)


def test_recall_at_k_by_hand():
    import numpy as np

    from vision.evaluate import recall_at_k

    embeddings = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9], [0.8, 0.2]])
    labels = ["a", "a", "b", "b", "b"]  # the last "b" sits among the "a"s
    scores = recall_at_k(embeddings, labels, ks=(1, 2))
    assert scores == {"recall@1": 0.8, "recall@2": 0.8}
