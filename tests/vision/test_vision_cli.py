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
