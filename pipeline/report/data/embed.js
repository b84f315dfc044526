// Draw every chart from its inlined spec. A chart that fails says so in its place and on the
// console; the others are still drawn.
for (const el of document.querySelectorAll('script[type="application/json"][data-chart]')) {
  const target = document.getElementById(el.dataset.chart);
  vegaEmbed(target, JSON.parse(el.textContent), {
    renderer: "svg",
    actions: { export: true, source: false, compiled: false, editor: false },
  }).catch((error) => {
    target.textContent = "This chart could not be drawn: " + error;
    console.error(error);
  });
}
