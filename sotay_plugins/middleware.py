"""Vietnamese unless the person chose otherwise."""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

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
