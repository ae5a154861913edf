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
#: ratio -> (comparison, target)
TARGETS = {
    'open_dossier_vs_acl_anchor': ('>=', 0.5),
    'mixed_vs_hello': ('>=', 0.25),
    **{key: ('<=', 1.2) for key in TIER_RATIOS},
    'p99_over_p50_max': ('<=', 4.0),
    'rss_mib': ('<=', 1024.0),
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


def compute_ratios(operations, anchors, mixed, rss_mib, other_tier=None):
    """The ``ratios`` object of the results.

    ``operations`` maps operation name -> figures (missing operations are
    absent or ``None``); ``anchors`` has ``hello`` and ``acl``; ``other_tier``
    is ``(tier name, its operations)`` of the other tier on the same storage,
    when it was run: then the :data:`TIER_RATIOS` are added.
    """
    ratios = {
        'open_dossier_vs_acl_anchor': _ratio(
            (operations.get('open_dossier') or {}).get('rps'), anchors['acl']['rps']),
        'mixed_vs_hello': _ratio(mixed['rps'], anchors['hello']['rps']),
    }
    if other_tier is not None:
        large, small = other_tier
        for key, operation in TIER_RATIOS.items():
            ratios[key] = _ratio(_p50(large, operation), _p50(small, operation))
    spreads = [_ratio(f['p99_ms'], f['p50_ms'], 2) for f in operations.values()
               if f and f.get('p50_ms')]
    ratios['p99_over_p50_max'] = max(spreads) if spreads else None
    ratios['rss_mib'] = rss_mib
    return ratios


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
