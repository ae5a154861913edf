"""Fresh contracts for the contract transitions of each run (issue 20).

The ``contract_transition`` operation moves one shared contract per worker
client back and forth (``unshare`` / ``share``), and every move appends to
the contract's history and consents; the consents are rewritten whole at
each transition (the history only in its last chunk of 16 lines since
:mod:`portail.models.history`).  Were the same contracts moved by every run
on a kept database, each run would start with longer histories than the
one before, and its figures would drift with the number of runs.  So, at
the start of each run and before the server starts (the FileStorage is
locked while it serves), :func:`make_fresh_contracts` adds one new contract
per worker client (and one for the one-client phase), brought to
``shared`` by the workflow exactly as the generator brings its shared
contracts there (:meth:`bench.generate.Generator.contract`): every run's
transitions start from contracts no earlier run touched, all with the
generated history length.

Each fresh contract goes to a dossier of its worker's caseload that the
other operations do not open (not one of the worker's ``dossiers``
targets) and that holds the fewest contracts, so that runs rotate through
the caseload and no dossier grows run after run; a dossier's contracts all
stay in it (the portal erases nothing), so a kept database gains one
contract per worker client and run.
"""
import random
from datetime import timedelta

import transaction

from bench.generate import Generator
from portail.models.root import get_root


def contract_path(dossier_name, contract_name):
    return f'/dossiers/{dossier_name}/contracts/{contract_name}'


def pick_dossier(dossiers, uid, avoid, taken):
    """The dossier of ``uid``'s caseload for a fresh contract: outside
    ``avoid`` (the dossiers the other operations open) if possible, not in
    ``taken`` (this run's picks) if possible, then with the fewest contracts,
    then first by name."""
    names = list(dossiers.by_referent.get(uid, ()))
    if not names:
        raise ValueError(f'worker {uid} has no dossier for a fresh contract')
    return min(names, key=lambda name: (name in avoid, name in taken,
                                        len(dossiers[name].contracts), name))


def make_fresh_contracts(db, tier, journal_key, worker_targets, extra=1, seed=None):
    """Add a shared contract for each of ``worker_targets`` (the run's worker
    clients, as :func:`bench.run.pick_targets` describes them), then
    ``extra`` more for the first worker (the one-client phase); commit.

    Return ``{'contracts': [path per worker target], 'extra': [paths],
    'history_length': the length of their histories}``.
    """
    tm = transaction.TransactionManager(explicit=True)
    conn = db.open(transaction_manager=tm)
    # the password hash of the generator is not used here: the cheapest profile
    generator = Generator(tier, journal_key, profile='fast')
    generator.rng = random.Random(seed)
    try:
        with tm:
            paths, lengths = _add_contracts(get_root(conn.root()), generator, worker_targets,
                                            extra)
    finally:
        conn.close()
    (length,) = lengths
    return {'contracts': paths[:len(worker_targets)], 'extra': paths[len(worker_targets):],
            'history_length': length}


def _add_contracts(root, generator, worker_targets, extra):
    """The contracts of :func:`make_fresh_contracts`: their paths, and the set
    of their history lengths (one length)."""
    users, dossiers = root.users, root.dossiers
    taken, paths, lengths = set(), [], set()
    for target in [*worker_targets, *[worker_targets[0]] * extra]:
        uid = users.find_login(target['login']).uid
        avoid = {path.rsplit('/', 1)[-1] for path in target.get('dossiers', ())}
        name = pick_dossier(dossiers, uid, avoid, taken)
        taken.add(name)
        start = (generator.now - timedelta(days=generator.rng.randrange(20, 80))).date()
        contract = generator.contract(root, dossiers[name], 'shared', start, 0)
        paths.append(contract_path(name, contract.__name__))
        lengths.add(len(contract.history))
    return paths, lengths


def history_lengths(db, paths):
    """``{path: length of the contract's history}`` as committed in ``db``."""
    tm = transaction.TransactionManager(explicit=True)
    conn = db.open(transaction_manager=tm)
    tm.begin()
    try:
        dossiers = get_root(conn.root()).dossiers
        found = {}
        for path in paths:
            parts = path.strip('/').split('/')  # dossiers, <dossier>, contracts, <contract>
            dossier, contract = parts[1], parts[3]
            found[path] = len(dossiers[dossier].contracts[contract].history)
        return found
    finally:
        tm.abort()
        conn.close()

