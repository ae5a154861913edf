"""Figures of one run: percentiles per operation, the ratios of issue 7 and
their targets, the JSON document and the one-line summary."""
import math

#: ratio of the p50 at tier L to the p50 at tier S -> the operation it times
TIER_RATIOS = {
    'caseload_L_vs_S': 'caseload',
    'caseload_search_L_vs_S': 'caseload_search',
    'stats_L_vs_S': 'statistics',
    'unusual_access_L_vs_S': 'unusual_access',
    'district_caseloads_L_vs_S': 'district_caseloads',
}
#: the scale-out ratio of issue 20: open dossier on a shared storage (ZEO),
#: served by this many processes, over the same served by one (bench/run.py)
SCALE_OUT_PROCESSES = 2
SCALE_OUT_KEY = f'scale_out_{SCALE_OUT_PROCESSES}_processes'
#: the one-client latency targets: (operation, percentile) of ``one_client``
ONE_CLIENT_TARGETS = {
    'one_client_open_dossier_p50_ms': ('open_dossier', 'p50_ms'),
    'one_client_open_dossier_p99_ms': ('open_dossier', 'p99_ms'),
}
#: ratio -> (comparison, target), the targets of issue 20, in the order the
#: results file, the summary line and ``bench.table`` give them
TARGETS = {
    'open_dossier_vs_acl_anchor': ('>=', 0.3),
    'transition_vs_acl_anchor': ('>=', 0.06),
    'mixed_vs_hello': ('>=', 0.12),
    SCALE_OUT_KEY: ('>=', 1.85),
    **{key: ('<=', 1.2) for key in TIER_RATIOS},
    'p99_over_p50_max': ('<=', 3.0),
    'one_client_open_dossier_p50_ms': ('<=', 2.0),
    'one_client_open_dossier_p99_ms': ('<=', 5.0),
    'rss_mib': ('<=', 512.0),
}
#: the rss target holds for tier L only
RSS_TARGET_TIER = 'L'


def percentile(values, fraction):
    """The nearest-rank percentile of ``values`` (``fraction`` in 0..1)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def operation_figures(latencies, elapsed, errors=0, statuses=None):
    """p50/p95/p99 in milliseconds and requests per second of one phase."""
    figures = {
        'requests': len(latencies),
        'errors': errors,
        'seconds': round(elapsed, 3),
        'rps': round(len(latencies) / elapsed, 2) if elapsed > 0 else None,
    }
    for name, fraction in (('p50_ms', 0.50), ('p95_ms', 0.95), ('p99_ms', 0.99)):
        value = percentile(latencies, fraction)
        figures[name] = None if value is None else round(value * 1000, 2)
    if statuses:
        figures['statuses'] = {str(k): v for k, v in statuses.items()}
    return figures


def _ratio(numerator, denominator, digits=3):
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, digits)


def compute_ratios(operations, anchors, mixed, rss_mib, other_tier=None, one_client=None,
                   scale_out=None):
    """The ``ratios`` object of the results, its keys in the order of :data:`TARGETS`.

    ``operations`` maps operation name -> figures (missing operations are
    absent or ``None``); ``anchors`` has ``hello`` and ``acl``; ``other_tier``
    is ``(tier name, its operations)`` of the other tier on the same storage,
    when it was run: then the :data:`TIER_RATIOS` are added.  ``one_client``
    maps operation -> figures of the one-client phases (when given, the
    :data:`ONE_CLIENT_TARGETS` are added, ``None`` for a phase not run);
    ``scale_out`` maps a count of processes (``int``) -> figures of the
    scale-out phases (:func:`scale_out_ratios`).
    """
    acl_rps = anchors['acl']['rps']
    ratios = {
        'open_dossier_vs_acl_anchor': _ratio(
            (operations.get('open_dossier') or {}).get('rps'), acl_rps),
        # a transition is a pair of requests (confirmation page, POST): pairs/s
        'transition_vs_acl_anchor': _ratio(
            (operations.get('contract_transition') or {}).get('rps'), acl_rps),
        'mixed_vs_hello': _ratio(mixed['rps'], anchors['hello']['rps']),
    }
    if scale_out:
        ratios.update(scale_out_ratios(scale_out))
    if other_tier is not None:
        large, small = other_tier
        for key, operation in TIER_RATIOS.items():
            ratios[key] = _ratio(_p50(large, operation), _p50(small, operation))
    spreads = [_ratio(f['p99_ms'], f['p50_ms'], 2) for f in operations.values()
               if f and f.get('p50_ms')]
    ratios['p99_over_p50_max'] = max(spreads) if spreads else None
    if one_client is not None:
        for key, (operation, figure) in ONE_CLIENT_TARGETS.items():
            ratios[key] = (one_client.get(operation) or {}).get(figure)
    ratios['rss_mib'] = rss_mib
    return ordered(ratios)


def scale_out_ratios(phases):
    """``{'scale_out_<n>_processes': rps with n processes / rps with 1}`` for
    each n > 1 of ``phases`` (a count of processes -> figures)."""
    one = (phases.get(1) or {}).get('rps')
    return {f'scale_out_{n}_processes': _ratio((figures or {}).get('rps'), one)
            for n, figures in sorted(phases.items()) if n > 1}


def ordered(ratios):
    """``ratios`` with the keys of :data:`TARGETS` first, in its order."""
    keys = [k for k in TARGETS if k in ratios] + [k for k in ratios if k not in TARGETS]
    return {k: ratios[k] for k in keys}


def _p50(operations, name):
    return (operations.get(name) or {}).get('p50_ms')


def verdicts(ratios, tier):
    """``{ratio: (value, comparison, target, met or None)}`` for the summary."""
    found = {}
    for name, (comparison, target) in TARGETS.items():
        if name not in ratios:
            continue
        value = ratios[name]
        if name == 'rss_mib' and tier != RSS_TARGET_TIER:
            met = None  # reported, but the target is for tier L
        elif value is None:
            met = False
        else:
            met = value >= target if comparison == '>=' else value <= target
        found[name] = {'value': value, 'target': f'{comparison} {target:g}', 'met': met}
    return found


def summary_line(tier, storage, ratios):
    """The last line the benchmark prints: every ratio against its target."""
    parts = []
    for name, v in verdicts(ratios, tier).items():
        mark = {True: 'ok', False: 'MISSED', None: 'n/a'}[v['met']]
        value = 'missing' if v['value'] is None else f'{v["value"]:g}'
        parts.append(f'{name}={value} ({v["target"]} {mark})')
    return f'bench {tier}/{storage}: ' + '; '.join(parts)
