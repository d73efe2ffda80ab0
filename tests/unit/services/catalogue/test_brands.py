"""Brands as operators maintain them (`python -m bot brand …`), and brands we do not service in the catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.cli import main
from bot.commands.brands import RETRAIN_HINT
from bot.db.models import Brand, OtherBrand
from bot.db.session import SessionFactory, create_sync_engine
from bot.nlu.lexicon.catalogue_lexicon import export_catalogue, load_catalogue
from bot.seed.catalogue import build_catalogue
from bot.services.catalogue.service import CatalogueService


def _brand(main_args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["brand", *main_args])
    out, err = capsys.readouterr()
    return code, out, err


def _count(url: str, model: type) -> int:
    engine = create_sync_engine(url)
    try:
        with Session(engine) as session:
            return int(session.execute(select(func.count()).select_from(model)).scalar_one())
    finally:
        engine.dispose()


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty schema the `brand` command works on (through DATABASE_URL)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def test_add_list_and_change_served_and_unserved_brands(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _brand(["add", "--code", "whirlpool", "--name-en", "Whirlpool", "--name-zh", "惠而浦",
                           "--alias", "WHP", "--handle", "@WhirlpoolCorp", "--unserved"], capsys)
    assert code == 0 and "added brand: whirlpool" in err and RETRAIN_HINT in err
    code, _, err = _brand(["add", "--code", "acme", "--name-en", "Acme", "--name-zh", "极美", "--handle", "AcmeCare",
                           "--home-country", "US"], capsys)
    assert code == 0 and "served" in err

    assert _brand(["alias", "--code", "acme", "--add", "ACME电器"], capsys)[0] == 0
    assert _brand(["handle", "--code", "whirlpool", "--add", "WhirlpoolUSA"], capsys)[0] == 0
    code, _, err = _brand(["handle", "--code", "whirlpool", "--remove", "@whirlpoolcorp"], capsys)
    assert code == 0 and "removed handle" in err and RETRAIN_HINT in err
    assert _brand(["alias", "--code", "whirlpool", "--remove", "whp"], capsys)[0] == 0

    code, out, _ = _brand(["list"], capsys)
    assert code == 0 and out.splitlines() == ["acme\tAcme\t极美\tserved\taliases: ACME电器\thandles: @AcmeCare"]
    code, out, _ = _brand(["list", "--unserved"], capsys)
    assert out.splitlines() == ["whirlpool\tWhirlpool\t惠而浦\tunserved\taliases: -\thandles: @WhirlpoolUSA"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "--code", "acme", "--name-en", "Acme Two", "--name-zh", "极美二"], "already exists"),
        (["add", "--code", "siemens", "--name-en", "Siemens", "--name-zh", "西门子", "--handle", "ACMECARE"],
         "already belongs to brand 'acme'"),
        (["add", "--code", "bosch2", "--name-en", "BOSCH", "--name-zh", "博世"], "already names brand 'bosch'"),
        (["alias", "--code", "acme", "--add", "ａｃｍｅ"], "already names brand 'acme'"),
        (["alias", "--code", "nope", "--add", "x"], "no brand with code 'nope'"),
        (["alias", "--code", "acme", "--remove", "never"], "has no alias"),
        (["handle", "--code", "bosch", "--add", "@AcmeCare"], "already belongs to brand 'acme'"),
        (["handle", "--code", "bosch", "--add", "@bad handle!"], "must be 2..30"),
        (["handle", "--code", "nope", "--remove", "x1"], "no brand with code"),
        (["add", "--code", "Bad Code", "--name-en", "X", "--name-zh", "X"], "must be 2..40"),
    ],
)
def test_duplicates_and_unknown_codes_are_refused_with_exit_code_2(
    cli_db: str, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    _brand(["add", "--code", "acme", "--name-en", "Acme", "--name-zh", "极美", "--handle", "AcmeCare"], capsys)
    _brand(["add", "--code", "bosch", "--name-en", "Bosch", "--name-zh", "博世", "--unserved"], capsys)

    code, _, err = _brand(args, capsys)

    assert code == 2 and message in err and RETRAIN_HINT not in err


def test_a_refused_add_writes_nothing(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    _brand(["add", "--code", "acme", "--name-en", "Acme", "--name-zh", "极美", "--handle", "AcmeCare"], capsys)

    code, _, _ = _brand(["add", "--code", "bosch", "--name-en", "Bosch", "--name-zh", "博世", "--handle", "BoschUK",
                         "--handle", "acmecare", "--unserved"], capsys)

    assert code == 2 and _count(cli_db, OtherBrand) == 0 and _count(cli_db, Brand) == 1


def test_alias_and_handle_need_exactly_one_change(cli_db: str) -> None:
    with pytest.raises(SystemExit):
        main(["brand", "alias", "--code", "acme"])
    with pytest.raises(SystemExit):
        main(["brand", "handle", "--code", "acme", "--add", "A1", "--remove", "A2"])


def test_the_export_from_the_database_carries_handles_and_unserved_brands(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _brand(["add", "--code", "acme", "--name-en", "Acme", "--name-zh", "极美", "--handle", "AcmeCare"], capsys)
    _brand(["add", "--code", "bosch", "--name-en", "Bosch", "--name-zh", "博世", "--alias", "BOSCH家电",
            "--handle", "BoschHomeUK", "--unserved"], capsys)
    path = tmp_path / "catalogue.yml"

    export_catalogue(cli_db, path)

    lexicon = load_catalogue(path)
    assert [(b.code, b.handles) for b in lexicon.brands] == [("acme", ("AcmeCare",))]
    assert [(b.code, b.name_en, b.aliases, b.handles) for b in lexicon.other_brands] == [
        ("bosch", "Bosch", ("BOSCH家电",), ("BoschHomeUK",))
    ]
    assert ("unserved_brand", "Bosch", "博世") in lexicon.terms()


# --- CatalogueService: brands we do not service in free-text answers -------------------------------------------


@pytest.fixture
def catalogue_db(db_url: str) -> str:
    """The seed's brands and other brands (no network)."""
    catalogue = build_catalogue()
    engine = create_sync_engine(db_url)
    with Session(engine) as session, session.begin():
        session.add_all(Brand(**row._asdict()) for row in catalogue.brands)
        session.add_all(OtherBrand(**row._asdict()) for row in catalogue.other_brands)
    engine.dispose()
    return db_url


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("it's a Bosch", "Bosch"),
        ("博世的洗碗机", "Bosch"),
        ("我家是松下冰箱", "Panasonic"),
        ("@XboxSupport", "Microsoft"),
        ("XBOX", "Microsoft"),
        ("a Brother printer", "Brother"),
        ("@BrotherUK", "Brother"),
        ("GE Appliances", "GE Appliances"),
        ("my brother's", None),  # an everyday word
        ("螺丝松下来了", None),  # a false friend
        ("建议买博世", None),  # only compared with
        ("格力", None),  # served
        ("", None),
    ],
)
async def test_find_unserved_brand(
    catalogue_db: str, session_factory: SessionFactory, text: str, expected: str | None
) -> None:
    found = await CatalogueService(session_factory).find_unserved_brand(text)

    assert (found.name_en if found else None) == expected


async def test_served_brands_resolve_by_their_support_handles(
    catalogue_db: str, session_factory: SessionFactory
) -> None:
    catalogue = CatalogueService(session_factory)

    assert (await catalogue.resolve_brand("AppleSupport")).code == "apple"
    assert (await catalogue.find_brand_in("@DellCares")) is not None
