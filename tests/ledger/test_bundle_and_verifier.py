"""The signed results bundle and ``python -m consult.verify`` (SPEC §11).

Each tampering test changes one part of a good bundle and, where a check
other than the one under test would also notice, repairs that part (file
hashes, the signature: as someone holding the signing key could), so that
the check under test is the one that catches it.
"""

import base64
import hashlib
import json
import subprocess
import sys
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.test import Client

from consult.ledger import signing
from consult.verify.__main__ import main
from consult.verify.bundle import verify_bundle
from consult.verify.chain import canonical, entry_hash
from consult.voting import services
from tests import factories

API = "/consult/api/v1"
KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture(autouse=True)
def signing_key(settings):
    settings.CONSULT = {
        **settings.CONSULT,
        "SIGNING_KEY": KEY,
        "PABULIB_META": {"country": "Germany"},
        "SECRET_LIVE_THRESHOLD": 0,
    }


@pytest.fixture
def page(db):
    page = factories.make_consultation(
        results_visibility="live",
        allow_vote_change=True,
        questions=[
            {"title": "Car-free?", "method": "yes_no"},
            {"title": "Design?", "method": "single", "options": ["Grün", "Hall", "Plaza"]},
            {"title": "Which?", "method": "approval", "max_choices": 2, "min_choices": 1,
             "options": ["A", "B", "C"]},
            {"title": "Order?", "method": "ranked", "options": ["A", "B", "C"]},
            {"title": "Rate", "method": "score", "max_score": 5, "options": ["A", "B"]},
            {"title": "Fund", "method": "budget", "budget": 100,
             "options": [{"label": "Park", "cost": 60}, {"label": "Bench", "cost": 30},
                         {"label": "Lamp", "cost": 50}]},
        ],
    )  # fmt: skip
    return page


def vote_everywhere(page, voters=5):
    questions = {q.method: q for q in page.questions.select_related("page")}
    ids = {m: list(q.options.order_by("sort_order", "pk").values_list("pk", flat=True))
           for m, q in questions.items()}  # fmt: skip
    users = [factories.make_user() for _ in range(voters)]
    for n, user in enumerate(users):
        a, b, c = (ids["single"][(n + k) % 3] for k in range(3))
        services.cast_ballot(user, questions["yes_no"], {"choice": ["yes", "no"][n % 2]})
        services.cast_ballot(user, questions["single"], {"option": a})
        services.cast_ballot(user, questions["approval"], {"options": ids["approval"][: 1 + n % 2]})
        services.cast_ballot(user, questions["ranked"], {"ranking": [
            ids["ranked"][n % 3], ids["ranked"][(n + 1) % 3]]})  # fmt: skip
        services.cast_ballot(user, questions["score"], {"scores": {str(ids["score"][0]): n}})
        services.cast_ballot(user, questions["budget"], {"options": ids["budget"][n % 2 :][:2]})
        del b, c
    # Replacements and a withdrawal, so replay has something to supersede.
    services.cast_ballot(users[0], questions["single"], {"option": ids["single"][2]})
    services.retract_ballot(users[1], questions["ranked"])
    return questions


def download(page) -> bytes:
    response = Client().get(f"{API}/consultations/{page.pk}/results.zip")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    return b"".join(response.streaming_content)


@pytest.fixture
def bundle(page, tmp_path):
    vote_everywhere(page)
    path = tmp_path / "results.zip"
    path.write_bytes(download(page))
    return path


def members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rewrite(path, changed: dict[str, bytes], *, rehash=True, resign=True, key=KEY) -> None:
    """Write ``changed`` into the bundle, then (as the signer could) fix the
    manifest's hashes and signature."""
    files = {**members(path), **changed}
    manifest = json.loads(files["manifest.json"])
    if rehash:
        manifest["files"] = {
            name: hashlib.sha256(files[name]).hexdigest() for name in manifest["files"]
        }
    if resign:
        private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(key))
        manifest.pop("signature")
        manifest["signature"] = base64.b64encode(private.sign(canonical(manifest))).decode()
    files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def question_id(page, method):
    return page.questions.get(method=method).pk


def log_of(path, qid) -> dict:
    return json.loads(members(path)[f"log-{qid}.json"])


def dump_log(log) -> bytes:
    return json.dumps(log, ensure_ascii=False).encode()


def problems(path, **kwargs) -> list[str]:
    report = verify_bundle(str(path), **kwargs)
    return report.problems


# ---------------------------------------------------------------------------


def test_bundle_holds_every_part_and_verifies(page, bundle):
    report = verify_bundle(str(bundle))
    assert report.problems == []
    names = set(members(bundle))
    for question in page.questions.all():
        for part in ("question", "log", "results"):
            assert f"{part}-{question.pk}.json" in names
    pb = {name for name in names if name.endswith(".pb")}
    assert pb == {f"pabulib-{question_id(page, m)}.pb" for m in ("approval", "budget")}
    manifest = json.loads(members(bundle)["manifest.json"])
    assert set(manifest) == {"consultation", "generated_at", "files", "public_key", "signature"}
    assert manifest["consultation"] == page.pk
    assert set(manifest["files"]) == names - {"manifest.json"}
    assert manifest["public_key"] == signing.public_key_text()
    # Each question was recounted, not only hashed.
    for question in page.questions.all():
        assert f"question {question.pk}: recounted results matches" in report.passed


def test_results_in_the_bundle_are_the_api_tallies(page, bundle):
    for question in page.questions.all():
        served = Client().get(f"{API}/questions/{question.pk}/tally/").json()
        assert json.loads(members(bundle)[f"results-{question.pk}.json"]) == served


def test_cli_exit_status_and_report(bundle, capsys):
    assert main([str(bundle)]) == 0
    assert "VERIFIED" in capsys.readouterr().out
    rewrite(bundle, {}, resign=False, key=KEY)
    manifest = json.loads(members(bundle)["manifest.json"])
    manifest["generated_at"] = "2000-01-01T00:00:00+00:00"
    rewrite(bundle, {"manifest.json": json.dumps(manifest).encode()}, rehash=False, resign=False)
    assert main([str(bundle), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "MISMATCH manifest: the Ed25519 signature does not match" in out
    assert "NOT VERIFIED" in out


def test_verifier_runs_without_django(bundle):
    code = (
        "import runpy, sys; sys.argv = ['verify', sys.argv[1], '--quiet'];"
        "sys.modules['django'] = None;"  # any import of Django fails
        "runpy.run_module('consult.verify', run_name='__main__')"
    )
    done = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code, str(bundle)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VERIFIED" in done.stdout


def test_tampered_file_is_caught_by_its_hash(page, bundle):
    qid = question_id(page, "single")
    results = json.loads(members(bundle)[f"results-{qid}.json"])
    results["ballots"] += 1
    rewrite(
        bundle, {f"results-{qid}.json": json.dumps(results).encode()}, rehash=False, resign=False
    )
    assert any(p.startswith(f"results-{qid}.json: sha256") for p in problems(bundle))


def test_extra_or_missing_files_are_caught(bundle):
    files = members(bundle)
    with zipfile.ZipFile(bundle, "a") as archive:
        archive.writestr("note.txt", "trust me")
    assert "note.txt: in the bundle but not in the manifest" in problems(bundle)
    name = next(n for n in files if n.startswith("results-"))
    with zipfile.ZipFile(bundle, "w") as archive:
        for other, data in files.items():
            if other != name:
                archive.writestr(other, data)
    assert f"{name}: listed in the manifest but missing" in problems(bundle)


def test_tampered_signature_is_caught(bundle):
    manifest = json.loads(members(bundle)["manifest.json"])
    manifest["consultation"] = 999
    rewrite(bundle, {"manifest.json": json.dumps(manifest).encode()}, rehash=False, resign=False)
    assert "manifest: the Ed25519 signature does not match its content" in problems(bundle)


def test_bundle_signed_with_another_key_fails_a_pinned_key(bundle):
    other = base64.b64encode(Ed25519PrivateKey.generate().private_bytes_raw()).decode()
    pinned = signing.public_key_text()
    manifest = json.loads(members(bundle)["manifest.json"])
    manifest["public_key"] = base64.b64encode(
        Ed25519PrivateKey.from_private_bytes(base64.b64decode(other))
        .public_key()
        .public_bytes_raw()
    ).decode()
    rewrite(bundle, {"manifest.json": json.dumps(manifest).encode()}, rehash=False, key=other)
    assert problems(bundle) == []  # consistent on its own...
    assert problems(bundle, public_key=pinned) == [  # ...but not the site's key
        "manifest names another public key than the one given with --public-key"
    ]


def test_tampered_entry_is_caught(page, bundle):
    qid = question_id(page, "single")
    log = log_of(bundle, qid)
    ballot = log["entries"][0]["ballot"]
    log["entries"][0]["ballot"] = {"option": ballot["option"] + 1}
    rewrite(bundle, {f"log-{qid}.json": dump_log(log)})
    assert f"question {qid}, entry 1: hash does not match its content" in problems(bundle)


def test_rehashed_entry_breaks_the_chain(page, bundle):
    qid = question_id(page, "single")
    log = log_of(bundle, qid)
    first = log["entries"][0]
    options = [o["id"] for o in log["definition"]["options"]]
    first["ballot"] = {"option": next(o for o in options if o != first["ballot"]["option"])}
    first["hash"] = entry_hash(first)  # consistent alone, but entry 2 points at the old hash
    rewrite(bundle, {f"log-{qid}.json": dump_log(log)})
    assert f"question {qid}, entry 2: prev is not the hash of the entry before" in problems(bundle)


def test_removed_entry_is_caught(page, bundle):
    qid = question_id(page, "yes_no")
    log = log_of(bundle, qid)
    del log["entries"][2]
    rewrite(bundle, {f"log-{qid}.json": dump_log(log)})
    found = problems(bundle)
    assert f"question {qid}, entry 3: seq is 4, expected 3" in found
    assert f"question {qid}, entry 3: prev is not the hash of the entry before" in found


def test_rewritten_chain_is_caught_by_the_recount(page, bundle):
    # Someone with the signing key rebuilds a whole consistent chain with a
    # vote changed: hashes and signature pass, the published tally does not.
    qid = question_id(page, "yes_no")
    log = log_of(bundle, qid)
    prev = log["entries"][0]["prev"]
    for entry in log["entries"]:
        if entry["ballot"] == {"choice": "no"}:
            entry["ballot"] = {"choice": "yes"}
        entry["prev"] = prev
        entry["hash"] = prev = entry_hash(entry)
    log["head"] = prev
    rewrite(bundle, {f"log-{qid}.json": dump_log(log)})
    assert any(p.startswith(f"question {qid}: results published as") for p in problems(bundle))


def test_tampered_result_is_caught_by_the_recount(page, bundle):
    for method in ("single", "ranked", "budget", "score", "approval"):
        qid = question_id(page, method)
        results = json.loads(members(bundle)[f"results-{qid}.json"])
        if method == "ranked":
            results["winner"] = next(
                e["key"] for e in results["results"] if e["key"] != results["winner"]
            )
        elif method == "budget":
            results["results"][2]["funded"] = not results["results"][2]["funded"]
        elif method == "score":
            results["results"][0]["mean"] = 4.99
        else:
            results["results"][0]["votes"] += 1
        rewrite(bundle, {f"results-{qid}.json": json.dumps(results).encode()})
        assert any(p.startswith(f"question {qid}: ") for p in problems(bundle)), method


def test_changed_definition_is_caught(page, bundle):
    qid = question_id(page, "budget")
    definition = json.loads(members(bundle)[f"question-{qid}.json"])
    definition["budget"] = 1000
    log = log_of(bundle, qid)
    log["definition"] = definition
    rewrite(bundle, {f"question-{qid}.json": json.dumps(definition).encode(),
                     f"log-{qid}.json": dump_log(log)})  # fmt: skip
    assert f"question {qid}, entry 1: prev is not the hash of the entry before" in problems(bundle)


def test_invalid_ballot_in_a_consistent_log_is_caught(page, bundle):
    qid = question_id(page, "budget")
    log = log_of(bundle, qid)
    options = [o["id"] for o in log["definition"]["options"]]
    prev = log["entries"][0]["prev"]
    log["entries"][0]["ballot"] = {"options": options}  # 140 > budget of 100
    for entry in log["entries"]:
        entry["prev"] = prev
        entry["hash"] = prev = entry_hash(entry)
    log["head"] = prev
    rewrite(bundle, {f"log-{qid}.json": dump_log(log)})
    assert f"question {qid}, entry 1: invalid ballot (costs more than the budget)" in problems(
        bundle
    )


def test_empty_consultation_verifies(page, tmp_path):
    path = tmp_path / "empty.zip"
    path.write_bytes(download(page))
    assert problems(path) == []


def test_bundle_needs_visible_results_and_a_key(page, settings):
    page.results_visibility = "after_close"
    page.save()
    response = Client().get(f"{API}/consultations/{page.pk}/results.zip")
    assert (response.status_code, response.json()["code"]) == (403, "results_hidden")
    page.results_visibility = "live"
    page.save()
    settings.CONSULT = {**settings.CONSULT, "SIGNING_KEY": None, "SECRET_LIVE_THRESHOLD": 0}
    response = Client().get(f"{API}/consultations/{page.pk}/results.zip")
    assert (response.status_code, response.json()["code"]) == (503, "not_configured")


def test_pabulib_files_pass_the_pabulib_checker(page, bundle):
    from pabulib.checker import Checker

    for method in ("approval", "budget"):
        qid = question_id(page, method)
        text = members(bundle)[f"pabulib-{qid}.pb"].decode()
        results = Checker().process_files([text])
        assert results["metadata"] == {"processed": 1, "valid": 1, "invalid": 0}, text
        (outcome,) = (v for k, v in results.items() if k not in ("metadata", "summary"))
        assert outcome["results"]["errors"] == {}, (method, outcome, text)
        # The checker recomputes the greedy selection from the votes and costs.
        if method == "budget":
            assert outcome["results"].get("warnings", {}) == {}, (outcome, text)


def test_pabulib_budget_file_reads_in_pabutools(page, bundle, tmp_path):
    from pabutools.election import parse_pabulib

    qid = question_id(page, "budget")
    path = tmp_path / "budget.pb"
    path.write_bytes(members(bundle)[f"pabulib-{qid}.pb"])
    instance, profile = parse_pabulib(str(path))
    results = json.loads(members(bundle)[f"results-{qid}.json"])
    assert len(profile) == results["ballots"]
    assert {p.name for p in instance} == {e["key"] for e in results["results"]}
    assert {p.name: p.cost for p in instance} == {e["key"]: e["cost"] for e in results["results"]}
