"""The training losses behave as their definitions say."""
import torch
import torch.nn.functional as F

from vision.losses import ArcFace, double_margin_contrastive, multi_label_bce


def test_arcface_margin_lowers_only_the_target_logit():
    torch.manual_seed(0)
    embeddings, targets = torch.randn(6, 16), torch.tensor([0, 1, 2, 3, 0, 1])
    with_margin = ArcFace(16, 4, margin=0.3)
    without = ArcFace(16, 4, margin=0.0)
    without.weight.data.copy_(with_margin.weight.data)
    a, b = with_margin.logits(embeddings, targets), without.logits(embeddings, targets)
    target_mask = F.one_hot(targets, 4).bool()
    assert (a[target_mask] < b[target_mask]).all()
    torch.testing.assert_close(a[~target_mask], b[~target_mask])
    assert with_margin(embeddings, targets) > without(embeddings, targets)


def test_arcface_trains_towards_the_target():
    torch.manual_seed(0)
    embeddings = torch.randn(8, 16, requires_grad=True)
    targets = torch.arange(8) % 4
    loss_fn = ArcFace(16, 4)
    optimiser = torch.optim.SGD([embeddings, *loss_fn.parameters()], lr=0.5)
    first = None
    for _ in range(30):
        loss = loss_fn(embeddings, targets)
        first = first if first is not None else loss.item()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
    assert loss.item() < first / 2


def test_contrastive_is_zero_for_well_separated_pairs():
    a, b = torch.tensor([1.0, 0.0, 0.0]), torch.tensor([0.0, 1.0, 0.0])
    embeddings = torch.stack([a, a, b, b])
    identities = torch.tensor([0, 0, 1, 1])
    assert double_margin_contrastive(embeddings, identities).item() == 0.0


def test_contrastive_penalises_far_positives_and_close_negatives():
    a, b = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 1.0])
    far_positive = double_margin_contrastive(torch.stack([a, b]), torch.tensor([0, 0]))
    close_negative = double_margin_contrastive(torch.stack([a, a]), torch.tensor([0, 1]))
    assert far_positive.item() > 0.5 and close_negative.item() > 0.5


def test_multi_label_bce_rewards_every_true_label():
    targets = torch.tensor([[1.0, 1.0, 0.0]])
    good = multi_label_bce(torch.tensor([[5.0, 5.0, -5.0]]), targets)
    one_missed = multi_label_bce(torch.tensor([[5.0, -5.0, -5.0]]), targets)
    assert good < 0.01 < one_missed
