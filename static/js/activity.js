// Activity log filters: leave empty filters out of the URL htmx requests and pushes,
// so a filtered view reads like /activity/?entity=flow rather than /activity/?email=&entity=flow…
document.addEventListener("htmx:configRequest", function (event) {
  if (!event.detail.elt.closest || !event.detail.elt.closest("#activity-filters")) return;
  var params = event.detail.parameters;
  var names = [];
  if (typeof params.keys === "function") {
    for (var name of params.keys()) names.push(name);
  } else {
    names = Object.keys(params);
  }
  names.forEach(function (name) {
    var value = typeof params.get === "function" ? params.get(name) : params[name];
    if (value === "" || value === null || value === undefined) {
      if (typeof params.delete === "function") params.delete(name);
      else delete params[name];
    }
  });
});
