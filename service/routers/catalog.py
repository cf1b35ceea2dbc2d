"""The catalog: the measure families, one family's clause and encoding, the readings register."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from models.i18n import current_lang, t
from models.limits import Quoted
from service.deps import AppCatalog
from service.problems import COMMON, NOT_FOUND, problem
from service import answers
from service.schemas import MeasureFamily, MeasureOut, PackageOut, Reading, Readings

router = APIRouter(tags=["catalog"], responses=COMMON)


@router.get("/v1/measures", response_model=list[MeasureFamily])
def measures(catalog: AppCatalog) -> list[MeasureFamily]:
    """One entry per measure family."""
    return [MeasureFamily(id=measure.id, title=measure.title, payer=spec.payer,
                          measures=sorted({r.measure or r.id for r in measure.rules}),
                          contact="; ".join(dict.fromkeys(s.contact for s in spec.sources)),
                          tel="; ".join(dict.fromkeys(s.tel for s in spec.sources)))
            for spec in catalog.files.values() for measure in spec.measures]


@router.get("/v1/measures/{measure_id}", response_model=MeasureOut,
            response_model_exclude_unset=True, responses=NOT_FOUND)
def measure(measure_id: str, catalog: AppCatalog) -> MeasureOut | Response:
    """A measure family (or one of its measures): clause, sources, contact, encoding."""
    spec = catalog.family_of(measure_id)
    if spec is None:
        return problem(404, "NotFound", t("request.unknown_measure", measure=Quoted(measure_id)), "measure_id")
    file = catalog.families[spec.id][0]
    # The encoding as the catalog writes it: what a rule leaves at its default is left out.
    return MeasureOut.model_validate({
        "id": spec.id, "title": spec.title, "file": file, "clause": spec.clause,
        "payer": catalog.files[file].payer,
        "sources": [s.model_dump() for s in catalog.files[file].sources],
        "rules": [r.model_dump(exclude_defaults=True) for r in spec.rules],
        "benefits": [b.model_dump(exclude_defaults=True) for b in spec.benefits]})


@router.get("/v1/readings", response_model=Readings)
def readings_register(catalog: AppCatalog) -> Readings:
    """The interpretation register: each reading, its default and alternatives."""
    lang = current_lang()  # the register in the request's language (catalog data)
    return Readings({key: Reading(about=spec.about_in(lang), default=spec.default,
                                  alternatives={value: spec.alternative_in(value, lang)
                                                for value in spec.alternatives})
                     for key, spec in catalog.index.readings.items()})


@router.get("/v1/packages", response_model=list[PackageOut])
def packages() -> list[PackageOut]:
    """The catalog packages zjtx ships (`zjtx measures packages`): what each holds, the package it
    extends, and the provenance grades of its rules (the names `POST /v1/impact` takes)."""
    return [PackageOut.model_validate(item) for item in answers.packages()]
