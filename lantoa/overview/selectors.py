"""Reads for the overview page (``/tong-quan/``) that no other app offers.

Other apps' models are only read here; each function runs a fixed number of queries.
"""

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from lantoa.accounts.models import ROLE_RANK, Role
from lantoa.accounts.selectors import memberships_for_user
from lantoa.documents.models import Document, DocumentState
from lantoa.units.models import subtree_q


def documents_to_approve(*, user) -> QuerySet[Document]:
    """Drafts submitted for signature by an issuer the user approves for (inherited down)."""
    if getattr(user, "is_superuser", False):
        q = Q()
    else:
        paths = [
            m.unit.path
            for m in memberships_for_user(user)
            if ROLE_RANK[m.role] >= ROLE_RANK[Role.APPROVER]
        ]
        if not paths:
            return Document.objects.none()
        q = reduce(or_, (subtree_q(p, "issuer_unit__path") for p in paths))
    return (
        Document.objects.filter(q, state=DocumentState.SUBMITTED)
        .select_related("issuer_unit")
        .only("id", "kind", "subject", "state", "updated_at", "issuer_unit__name")
        .order_by("updated_at", "id")
    )
