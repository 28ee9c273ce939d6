"""The municipality's organisation tree."""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from lifecycle.db import Base
from lifecycle.db import enum_column
from lifecycle.enums import OrgUnitKind


class OrgUnit(Base):
    """A node of the organisation: kommun → förvaltning → avdelning → enhet."""

    __tablename__ = "org_units"
    __table_args__ = (
        UniqueConstraint("parent_id", "name"),
        Index("ix_org_units_path", "path"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrgUnitKind] = mapped_column(enum_column(OrgUnitKind, "org_unit_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    #: ids from the root down to this unit, as "/1/7/42/"; a subtree is one indexed prefix match
    path: Mapped[str] = mapped_column(String(500), default="")

    parent: Mapped[OrgUnit | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[OrgUnit]] = relationship(back_populates="parent", order_by="OrgUnit.name")

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2
