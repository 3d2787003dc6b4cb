"""Vietnamese unless the person chose otherwise; the security and privacy headers of every
answer."""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from sotay_plugins import front


class ChosenLanguageMiddleware:
    """Activate the language a person chose, never the one their browser advertises.

    Django's LocaleMiddleware would follow Accept-Language, and many phones and office
    browsers in Vietnam advertise English: SPEC.md wants Vietnamese for everyone, English only
    on request. The choice is the language switch's cookie (django.views.i18n.set_language); in
    the Wagtail admin, a preference set in the account settings still wins (Wagtail applies it).
    """

    sotay_front = front.LANGUAGE  # the front applies the chosen language as this does

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the Wagtail admin's own policy under its prefix.

    Everywhere the policy is ``CONTENT_SECURITY_POLICY``: scripts and styles from our own files,
    an inline one only with the request's nonce (``request.csp_nonce``), nothing from elsewhere.
    Under the prefixes of ``SOTAY_ADMIN_CSP_PREFIXES`` (the Wagtail admin) the directives of
    ``SOTAY_ADMIN_CONTENT_SECURITY_POLICY`` replace some of them (see the settings: Wagtail's
    admin runs inline scripts and styles of its own, so there, and only there, they are allowed;
    other origins and eval stay forbidden). It sits outside ``PageCacheMiddleware``, so a kept page
    gets its policy as it is served, like every other answer.
    """

    sotay_front = front.RESPONSE  # headers only: the front adds them to its answers too

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        prefixes = tuple(getattr(settings, "SOTAY_ADMIN_CSP_PREFIXES", ()))
        if not report_only and prefixes and request.path_info.startswith(prefixes):
            admin = getattr(settings, "SOTAY_ADMIN_CONTENT_SECURITY_POLICY", {})
            parts.replace = {**admin, **(parts.replace or {})}
        return parts


class PrivateAnswersMiddleware:
    """``Cache-Control: no-store`` on every answer that may hold personal data, and the
    ``Permissions-Policy`` of ``SOTAY_PERMISSIONS_POLICY``.

    What Django answers (pages, the API, files) is private by default: a member's pages and
    answers hold their name, unit and CCCD, and no browser cache, proxy or shared computer
    should keep them. An answer that sets no ``Cache-Control`` gets ``no-store``; one that chose
    its own keeps it unless the request carried a credential (a session cookie or an
    ``Authorization`` header), which makes it ``private, no-store`` too. Static files are served
    before Django (nginx, or runserver's static handler) and keep their own headers. Like the
    policy above, it sits outside ``PageCacheMiddleware``: a kept page is served with both.
    """

    sotay_front = front.RESPONSE  # headers only: the front adds them to its answers too

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.process_response(request, self.get_response(request))

    @staticmethod
    def process_response(request, response):
        if "Cache-Control" not in response:
            response["Cache-Control"] = "no-store"
        elif carries_credentials(request):
            patch_cache_control(response, private=True, no_store=True)
        policy = getattr(settings, "SOTAY_PERMISSIONS_POLICY", None)
        if policy:
            response.headers.setdefault(
                "Permissions-Policy",
                ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items()),
            )
        return response


def carries_credentials(request):
    return bool(
        request.COOKIES.get(settings.SESSION_COOKIE_NAME) or request.META.get("HTTP_AUTHORIZATION")
    )
