"""``WAGTAILIMAGES_IMAGE_FORM_BASE``: Wagtail's image form, which keeps no file from a refused
form (:class:`sotay_plugins.files.RefusedFormKeepsNoFile`)."""

from wagtail.images.forms import BaseImageForm

from .files import RefusedFormKeepsNoFile


class ImageForm(RefusedFormKeepsNoFile, BaseImageForm):
    pass
