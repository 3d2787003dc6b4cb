"""The member shell: home (cards from every plugin), my profile, the large-type switch."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from sotay_plugins import pagecache
from sotay_plugins.registry import registry

from .. import services


@login_required
def home(request):
    """The member's home: the cards of every plugin. Kept whole for the member while what the
    cards depend on is unchanged (``pagecache``): stamps are read first, then the cards."""
    ordered = registry.ordered_cards()
    depends = []
    for card in ordered:
        keys = card.depends(request) if card.depends else None
        if keys is None:
            depends = None
            break
        depends.extend(keys)
    kept = pagecache.offer(request, depends)
    cards = []
    for card in ordered:
        context = card.context(request)
        if context is not None:
            cards.append((card.template, context))
            if kept is not None and card.expires:
                kept.until(card.expires(request, context))
    return render(
        request,
        "members/home.html",
        {"cards": cards, "member": services.current_member(request.user)},
    )


@login_required
def profile(request):
    member = services.current_member(request.user)
    transfers = member.transfers.select_related("from_cell", "to_cell")[:20] if member else []
    units = member.cell.get_ancestors(include_self=True) if member else []
    return render(
        request, "members/profile.html", {"member": member, "transfers": transfers, "units": units}
    )


@require_POST
def large_type(request):
    """Switch large type on or off; a plain form post, so it works without JavaScript."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    # The address itself, never a view name: redirect("abc") would try reverse("abc") (a 500).
    response = HttpResponseRedirect(target)
    on = request.POST.get("on") == "1"
    response.set_cookie(
        "sotay_large",
        "1" if on else "0",
        max_age=3600 * 24 * 365,
        samesite="Lax",
        secure=request.is_secure(),
        httponly=True,
    )
    return response
