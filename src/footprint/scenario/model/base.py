"""What every entity is: frozen, strict data; names; spans of years and the planning horizon."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    model_validator,
)

from footprint.scenario.model.figures import (
    Real,
    Year,
)

Identifier = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")]

class Entity(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Location(Entity):
    lat: Annotated[Real, Field(ge=-90, le=90)] = Field(description="Latitude, degrees north.")
    lon: Annotated[Real, Field(ge=-180, le=180)] = Field(description="Longitude, degrees east.")


class YearRange(Entity):
    start: Year | None = Field(None, description="First year (inclusive); open if absent.")
    end: Year | None = Field(None, description="Last year (inclusive); open if absent.")

    @model_validator(mode="after")
    def _ordered(self) -> YearRange:
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    def contains(self, year: int) -> bool:
        return (self.start is None or year >= self.start) and (self.end is None or year <= self.end)


class Horizon(Entity):
    start: Year = Field(description="First planning year.")
    end: Year = Field(description="Last planning year (inclusive).")

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self

    @property
    def years(self) -> list[int]:
        return list(range(self.start, self.end + 1))
