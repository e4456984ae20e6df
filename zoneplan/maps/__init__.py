"""Maps of plans: offline interactive pages (folium/Leaflet) and print drawings (matplotlib).

* :func:`make_map` / :func:`save_map` — interactive, self-contained HTML (:mod:`.interactive`);
* :func:`print_map` — A3/A4 planning drawing as PNG or PDF (:mod:`.print`);
* :mod:`.kinds` — what each kind of map shows; :mod:`.style` — palettes and legends;
  :mod:`.offline` — inlined Leaflet and zoneplan's map script.
"""

from zoneplan.maps.interactive import make_map, render_spec, save_map
from zoneplan.maps.kinds import KINDS, MapSpec, build_spec
from zoneplan.maps.print import print_map, print_spec

__all__ = ["KINDS", "MapSpec", "build_spec", "make_map", "print_map", "print_spec", "render_spec", "save_map"]
