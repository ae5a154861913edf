"""Districts (circonscriptions) of the département."""
from persistent import Persistent

from portail.acl.localroles import district_principals
from portail.acl.matrix import ComputedACL
from portail.models.container import Container


class District(Persistent):
    """A circonscription: its name, the name of its CLI, and how the people
    it follows reach its service (shown on their home page, issue 17)."""

    __acl__ = ComputedACL('district')
    #: the service's postal address and phone (class defaults: older
    #: databases need no evolve step)
    address = ''
    phone = ''

    def __init__(self, name, cli_name=''):
        self.name = name
        self.cli_name = cli_name

    def local_principals(self, identity, now, settings):
        return district_principals(self, identity, now, settings)


class Districts(Container):
    """The ``/districts`` folder."""

    __acl__ = ComputedACL('districts')

    def choices(self):
        """Return ``[(id, name), ...]`` sorted by name, for forms."""
        return sorted(((k, d.name) for k, d in self.items()), key=lambda kv: kv[1])


def add_district(root, name, cli_name):
    """Create a district, its CLI folder, its statistics and its entry queue;
    return the district id."""
    from portail.models.cli import CliDistrict
    from portail.models.statistics import DistrictStatistics

    district_id = root.districts.add(District(name, cli_name))
    root.cli.add(CliDistrict(), name=district_id)
    root.statistics.add(DistrictStatistics(), name=district_id)
    root.dossiers.add_district_queue(district_id)
    return district_id
