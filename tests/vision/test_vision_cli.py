"""`python -m vision.tag` and `python -m vision.evaluate` print the documented JSON."""
import json
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parents[2]


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_tag_prints_one_json_line_per_image(photos, tmp_path):
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    done = run("vision.tag", str(photos["apple_granny_smith"]), str(broken),
               str(photos["hoodie_pink"]), "--json")
    assert done.returncode == 1  # one image failed; the others were still tagged
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["ok"] for line in lines] == [True, False, True]
    apple = lines[0]
    assert apple["category"]["label"] == "fruit" and len(apple["category"]["top"]) == 3
    assert 0 <= apple["category"]["score"] <= 1
    assert set(apple["colour"]) >= {"label", "score"}
    assert apple["embedding_dim"] == 256 and apple["model_version"].startswith("groknet-lite0-")
    assert isinstance(apple["attributes"], dict)
    assert "readable" in lines[1]["error"]


def test_evaluate_retrieval_reports_model_and_baseline(photos, tmp_path):
    for name in ("tshirt_white", "hoodie_pink", "cardigan_black"):
        folder = tmp_path / name
        folder.mkdir()
        image = Image.open(photos[name]).convert("RGB")
        image.save(folder / "a.jpg")
        ImageOps.mirror(image).save(folder / "b.jpg")
        image.crop((10, 10, image.width - 10, image.height - 10)).save(folder / "c.jpg")
    done = run("vision.evaluate", "retrieval", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["n"] == 9
    for scores in (report, report["baseline"]):
        assert set(scores) >= {"recall@1", "recall@5", "recall@10"}
        assert scores["recall@1"] <= scores["recall@5"] <= scores["recall@10"] == 1.0
    assert report["baseline"]["recall@1"] > 0.5  # a mirrored/cropped copy is easy to find


def test_evaluate_retrieval_skips_and_lists_photos_it_cannot_use(engine, photos, tmp_path,
                                                                 monkeypatch):
    """A corrupt file, or any other failure on one photo, must not end the run."""
    import vision.images
    from vision.evaluate import retrieval

    real = vision.images.to_rgb

    def flaky(image):
        if image.size == (41, 37):
            raise RuntimeError("boom")
        return real(image)

    monkeypatch.setattr(vision.images, "to_rgb", flaky)
    for name in ("tshirt_white", "hoodie_pink"):
        (tmp_path / name).mkdir()
        image = Image.open(photos[name]).convert("RGB")
        image.save(tmp_path / name / "a.jpg")
        ImageOps.mirror(image).save(tmp_path / name / "b.jpg")
    Image.new("RGB", (41, 37), "green").save(tmp_path / "tshirt_white" / "odd.png")
    (tmp_path / "hoodie_pink" / "corrupt.jpg").write_bytes(b"not a jpeg")
    report = retrieval(tmp_path, engine)
    assert report["n"] == 4 and report["recall@1"] == report["baseline"]["recall@1"] == 1.0
    errors = sorted(report["skipped"])
    assert len(errors) == 2
    assert "corrupt.jpg: not a readable image" in errors[0]
    assert "odd.png: could not process image: RuntimeError: boom" in errors[1]


def test_evaluate_distances_reports_each_kind_of_pair(photos, tmp_path):
    """Held-out photos only (grocery's val list, clothing's fixed 20 %), paired by the narrowest
    label they share."""
    from vision.datasets import heldout

    apple = Image.open(photos["apple_granny_smith"]).convert("RGB")
    grocery = tmp_path / "grocery"
    rows = [("Granny-Smith", "Apple", "Fruit"), ("Golden-Delicious", "Apple", "Fruit"),
            ("Oat-Milk", "Oat-Milk", "Packages")]
    lines = ["Class Name,Class ID,Coarse Class Name,Coarse Class ID,Iconic,Description"]
    for fine_id, (name, coarse, folder) in enumerate(rows):
        (grocery / "iconic" / name).mkdir(parents=True)
        (grocery / "iconic" / name / "description.txt").write_text(f"A {name}.")
        lines.append(f"{name},{fine_id},{coarse},{fine_id},/iconic/{folder}/{name}/icon.jpg,"
                     f"/iconic/{name}/description.txt")
    (grocery / "classes.csv").write_text("\n".join(lines) + "\n")
    (grocery / "val").mkdir()
    apple.save(grocery / "val" / "granny-1.jpg")
    ImageOps.mirror(apple).save(grocery / "val" / "granny-2.jpg")
    apple.crop((20, 20, apple.width - 20, apple.height - 20)).save(grocery / "val" / "golden.jpg")
    Image.new("RGB", (200, 300), (235, 230, 215)).save(grocery / "val" / "oat-milk.jpg")
    (grocery / "val.txt").write_text("val/granny-1.jpg, 0, 0\nval/granny-2.jpg, 0, 0\n"
                                     "val/golden.jpg, 1, 0\nval/oat-milk.jpg, 2, 1\n")
    apple.save(grocery / "val" / "trained-on.jpg")
    (grocery / "train.txt").write_text("val/trained-on.jpg, 0, 0\n")  # not held out: left out
    clothing = tmp_path / "clothing"
    (clothing / "images").mkdir(parents=True)
    held_out = [name for name in (f"photo-{i}.jpg" for i in range(100)) if heldout(name)]
    trained_on = next(f"photo-{i}.jpg" for i in range(100) if not heldout(f"photo-{i}.jpg"))
    shirt = Image.open(photos["tshirt_white"]).convert("RGB")
    for name, image in zip([*held_out[:3], trained_on],
                           [shirt, ImageOps.mirror(shirt), Image.open(photos["hoodie_pink"]),
                            shirt]):
        image.save(clothing / "images" / name)
    (clothing / "labels.csv").write_text(
        "image,label,kids\n" + "".join(f"{name},{label},False\n" for name, label in zip(
            [*held_out[:3], trained_on], ["T-Shirt", "T-Shirt", "Hoodie", "T-Shirt"])))

    done = run("vision.evaluate", "distances", str(tmp_path), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["n"] == {"grocery": 4, "clothing": 3} and report["skipped"] == []
    kinds = report["kinds"]
    assert {kind: entry["pairs"] for kind, entry in kinds.items()} == {
        "grocery: same fine class": 1,      # the Granny-Smith photo and its mirror image
        "grocery: same coarse class": 2,    # either of them and the Golden-Delicious (Apple)
        "grocery: same vertical": 3,        # an apple and the oat milk (fruit, dairy)
        "clothing: same category": 1,       # the T-shirt and its mirror image
        "clothing: same vertical": 2,       # a T-shirt and the hoodie
        "other vertical": 12}               # a grocery and a clothing photo
    for entry in kinds.values():
        assert list(entry["percentiles"]) == ["p5", "p10", "p25", "p50", "p75", "p90", "p95"]
        assert set(entry["within"]) == set(entry["nearest_within"]) >= {"0.30", "0.55", "0.70"}
    mirrored = kinds["clothing: same category"]["percentiles"]["p50"]
    assert mirrored < kinds["other vertical"]["percentiles"]["p5"]
    assert kinds["clothing: same category"]["within"]["0.30"] == 1.0
