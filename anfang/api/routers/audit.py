"""The audit log for auditors: read entries, verify the SM3 chain and SM2 checkpoints."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from anfang.api.deps import audit_log, require_role
from anfang.security.audit import AuditLog

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[Depends(require_role("auditor"))])


class AuditEntryOut(BaseModel):
    seq: int
    time: float
    actor: str
    action: str
    target: str
    detail: dict[str, Any]
    hash: str


class ProblemOut(BaseModel):
    kind: str
    message: str
    seq: int | None


class VerifyOut(BaseModel):
    ok: bool
    problems: list[ProblemOut]


@router.get("", response_model=list[AuditEntryOut])
def list_audit(
    start: int = Query(1, ge=1, le=2**62, description="first seq"),
    limit: int = Query(100, ge=1, le=1000),
    log: AuditLog = Depends(audit_log),
) -> list[AuditEntryOut]:
    return [
        AuditEntryOut(
            seq=e.seq, time=e.time, actor=e.actor, action=e.action, target=e.target, detail=e.detail, hash=e.hash
        )
        for e in log.entries(start, limit)
    ]


@router.get("/verify", response_model=VerifyOut)
def verify_audit(log: AuditLog = Depends(audit_log)) -> VerifyOut:
    problems = log.verify()
    return VerifyOut(
        ok=not problems, problems=[ProblemOut(kind=p.kind, message=p.message, seq=p.seq) for p in problems]
    )
