"""No lost update (docs/domain.md, *No lost update*): a form carries the version of the object it
was drawn from; submitting it over a newer version is refused with a 409 page
naming who changed the object and when, and nothing is written."""
from ZODB.utils import p64, u64


class EditConflict(Exception):
    """Raised when a form was drawn from an older version of ``context``."""

    def __init__(self, context):
        super().__init__('edit conflict')
        self.context = context


def serial_of(obj):
    """The version of a persistent object, as a form field value."""
    serial = getattr(obj, '_p_serial', None) or p64(0)
    return str(u64(serial))


def check_serial(request, obj):
    """Raise :class:`EditConflict` unless the POSTed ``serial`` is the current one."""
    if request.POST.get('serial') != serial_of(obj):
        raise EditConflict(obj)
