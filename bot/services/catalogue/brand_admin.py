"""Operators' brand maintenance: list brands, add one (served or not), add or remove aliases and support handles.

Every change is one transaction and refuses what would make a name ambiguous: a code used by any brand, an alias
that already names a brand (names and aliases compare normalised: case, width, traditional forms), a handle that
already belongs to a brand (case-insensitive). Served brands live in `brands`, the others in `other_brands`; the
NLU learns a change only after `python -m bot catalogue-export` and a new model.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Union

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Brand, OtherBrand
from bot.db.session import SessionFactory
from bot.domain.errors import ConflictError, NotFoundError, UnknownBrandError, ValidationError
from bot.nlu.text.normalise import normalise

logger = logging.getLogger(__name__)

CODE = re.compile(r"[a-z0-9][a-z0-9_]{1,39}")
HANDLE = re.compile(r"[A-Za-z0-9_]{2,30}")
COUNTRY = re.compile(r"[A-Z]{2}")
MAX_NAME_CHARS = 80
AnyBrand = Union[Brand, OtherBrand]


@dataclass(frozen=True)
class BrandListing:
    """A brand as the operator sees it."""

    code: str
    name_zh: str
    name_en: str
    served: bool
    aliases: tuple[str, ...]
    handles: tuple[str, ...]


def _listing(brand: AnyBrand) -> BrandListing:
    return BrandListing(brand.code, brand.name_zh, brand.name_en, isinstance(brand, Brand),
                        tuple(brand.aliases or ()), tuple(brand.support_handles or ()))


def _name(label: str, value: str) -> str:
    text = value.strip()
    if not text or len(text) > MAX_NAME_CHARS:
        raise ValidationError(f"{label} must be 1..{MAX_NAME_CHARS} characters")
    return text


def _handle(value: str) -> str:
    handle = value.strip().removeprefix("@")
    if not HANDLE.fullmatch(handle):
        raise ValidationError(f"handle {value[:40]!r} must be 2..30 letters, digits or _ (the '@' is optional)")
    return handle


def _key(name: str) -> str:
    return "".join(normalise(name).split())


class BrandAdminService:
    """Owns the brand maintenance transactions; the `python -m bot brand` command calls it."""

    def __init__(self, session_factory: SessionFactory) -> None:
        self._sessions = session_factory

    async def list_brands(self, unserved: bool = False) -> list[BrandListing]:
        """The served brands, or (with `unserved`) the brands we know but do not service, by code."""
        model = OtherBrand if unserved else Brand
        async with self._sessions() as session:
            rows = (await session.execute(select(model).order_by(model.code))).scalars().all()
        return [_listing(row) for row in rows]

    async def add_brand(
        self, code: str, name_en: str, name_zh: str, aliases: Sequence[str] = (), handles: Sequence[str] = (),
        unserved: bool = False, home_country: str = "CN",
    ) -> BrandListing:
        """Add a brand; refuses a code, alias or handle that is taken (`ConflictError`) or malformed."""
        if not CODE.fullmatch(code):
            raise ValidationError(f"code {code[:40]!r} must be 2..40 characters: a-z 0-9 _")
        if not COUNTRY.fullmatch(home_country):
            raise ValidationError(f"home country {home_country[:8]!r} must be two capital letters (e.g. CN, US)")
        names = [_name("name_zh", name_zh), _name("name_en", name_en)]
        clean_aliases = list(dict.fromkeys(_name("alias", a) for a in aliases))
        clean_handles = list(dict.fromkeys(_handle(h) for h in handles))
        async with self._sessions() as session, session.begin():
            brands = await _all_brands(session)
            if any(b.code == code for b in brands):
                raise ConflictError(f"brand code {code!r} already exists")
            for alias in (*names, *clean_aliases):
                _check_name_free(alias, brands)
            for handle in clean_handles:
                _check_handle_free(handle, brands)
            brand: AnyBrand
            if unserved:
                brand = OtherBrand(code=code, name_zh=names[0], name_en=names[1], aliases=clean_aliases,
                                   support_handles=clean_handles)
            else:
                brand = Brand(code=code, name_zh=names[0], name_en=names[1], home_country=home_country,
                              aliases=clean_aliases, support_handles=clean_handles)
            session.add(brand)
            await session.flush()
            listing = _listing(brand)
        logger.info("brand_admin.added served=%s", listing.served)
        return listing

    async def change_alias(self, code: str, add: str | None = None, remove: str | None = None) -> BrandListing:
        """Add or remove one alias of the brand `code` (served or not)."""
        _one_change(add, remove)
        async with self._sessions() as session, session.begin():
            brands = await _all_brands(session)
            brand = _find(code, brands)
            aliases = list(brand.aliases or [])
            if add is not None:
                alias = _name("alias", add)
                _check_name_free(alias, brands)
                aliases.append(alias)
            elif remove is not None:
                kept = [a for a in aliases if _key(a) != _key(remove)]
                if len(kept) == len(aliases):
                    raise NotFoundError(f"brand {code!r} has no alias {remove[:40]!r}")
                aliases = kept
            brand.aliases = aliases  # a new list: JSON columns do not track changes in place
            listing = _listing(brand)
        logger.info("brand_admin.alias_changed added=%s", add is not None)
        return listing

    async def change_handle(self, code: str, add: str | None = None, remove: str | None = None) -> BrandListing:
        """Add or remove one support handle of the brand `code` (served or not); "@" is optional."""
        _one_change(add, remove)
        async with self._sessions() as session, session.begin():
            brands = await _all_brands(session)
            brand = _find(code, brands)
            handles = list(brand.support_handles or [])
            if add is not None:
                handle = _handle(add)
                _check_handle_free(handle, brands)
                handles.append(handle)
            elif remove is not None:
                gone = _handle(remove).casefold()
                kept = [h for h in handles if h.casefold() != gone]
                if len(kept) == len(handles):
                    raise NotFoundError(f"brand {code!r} has no handle {remove[:40]!r}")
                handles = kept
            brand.support_handles = handles
            listing = _listing(brand)
        logger.info("brand_admin.handle_changed added=%s", add is not None)
        return listing


def _one_change(add: str | None, remove: str | None) -> None:
    if (add is None) == (remove is None):
        raise ValidationError("give exactly one of add or remove")


async def _all_brands(session: AsyncSession) -> list[AnyBrand]:
    served = (await session.execute(select(Brand).order_by(Brand.id))).scalars().all()
    others = (await session.execute(select(OtherBrand).order_by(OtherBrand.id))).scalars().all()
    return [*served, *others]


def _find(code: str, brands: list[AnyBrand]) -> AnyBrand:
    for brand in brands:
        if brand.code == code:
            return brand
    raise UnknownBrandError(f"no brand with code {code[:40]!r} (see `python -m bot brand list [--unserved]`)")


def _check_name_free(name: str, brands: list[AnyBrand]) -> None:
    key = _key(name)
    for brand in brands:
        if key in {_key(n) for n in (brand.code, brand.name_zh, brand.name_en, *(brand.aliases or []))}:
            raise ConflictError(f"{name!r} already names brand {brand.code!r}")


def _check_handle_free(handle: str, brands: list[AnyBrand]) -> None:
    for brand in brands:
        if handle.casefold() in {h.casefold() for h in brand.support_handles or []}:
            raise ConflictError(f"handle {handle!r} already belongs to brand {brand.code!r}")
