"""The outbound feed to the departmental information system (issue 19;
docs/feed.md): the feed log written at each transition that enters, amends
or closes a contract (:mod:`.log`), the fields delivered (:mod:`.items`),
their delivery, journaled on each dossier (:mod:`.delivery`), and the API
account's bearer tokens (:mod:`.tokens`); :mod:`.subscriber` appends to the
log after each transition."""
