/**
 * The report kit both HTML reports draw with: axis ticks, log scales,
 * escaping, and the self-contained page.
 */
import { expect } from "chai";
import { escapeXml, factTable, gridTable, htmlPage } from "../../report/html-page";
import { decades, ELAPSED_HOURS, ticks, timeChart, WALL_SECONDS } from "../../report/svg-chart";

describe("report kit", () => {
  const table: [number, number, number[]][] = [
    [10, 5, [0, 2, 4, 6, 8, 10]],
    [1, 4, [0, 0.5, 1]],
    [0, 5, [0]],
    [37, 4, [0, 10, 20, 30]],
  ];
  for (const [max, count, want] of table) it(`ticks ${max} in about ${count} round steps: ${want.join(", ")}`, () => expect(ticks(max, count)).to.deep.equal(want));

  it("puts log ticks on the decades between the bounds", () => {
    expect(decades(1, 5_000)).to.deep.equal([1, 10, 100, 1000]);
    expect(decades(5, 900)).to.deep.equal([10, 100]);
  });

  it("prints elapsed time as h:mm on round minutes, at most 13 ticks", () => {
    const at = ELAPSED_HOURS.ticks(48 * 3_600_000);
    expect(at.length).to.be.at.most(13);
    expect(at.map(ELAPSED_HOURS.format).slice(0, 3)).to.deep.equal(["0:00", "4:00", "8:00"]);
    expect(ELAPSED_HOURS.format(90 * 60_000)).to.equal("1:30");
  });

  it("escapes every label it draws, and loads nothing", () => {
    const svg = timeChart({
      title: "a <b> & 'c'",
      xMax: 10,
      axis: WALL_SECONDS,
      yLabel: "y\"",
      series: [{ label: "s<1>", color: "#000", points: [[0, 1], [5, 2]], step: true }],
      bands: [{ from: 1, to: 2, color: "#f00", label: "band & co" }],
      markers: [{ at: 3, label: "<marker>" }],
      guides: [{ y: 2, label: "<guide>", color: "#00f" }],
      bars: { keys: [{ label: "k<", color: "#0f0" }], buckets: [{ from: 0, to: 1, values: [3] }] },
    });
    expect(svg).to.not.match(/<(b|marker|guide|1)>/);
    expect(svg).to.include("a &lt;b&gt; &amp; &#39;c&#39;").and.include("band &amp; co").and.include("k&lt;: 3");
    expect(svg).to.not.match(/<script|<link|@import|(src|href)\s*=/i);
  });

  it("holds a step series' last value to the chart's right edge", () => {
    const svg = timeChart({ title: "t", xMax: 10, axis: WALL_SECONDS, yLabel: "y", yMax: 4, series: [{ label: "s", color: "#000", points: [[0, 1], [5, 2]], step: true }] });
    const points = /<polyline points="([^"]+)"/.exec(svg)![1]!.split(" ");
    // 0→1, then at 5 still 1, then 2, then 2 at the right edge (x = 52 + 792).
    expect(points).to.have.length(4);
    expect(points[1]!.split(",")[1]).to.equal(points[0]!.split(",")[1]);
    expect(points[3]).to.equal(`844.0,${points[2]!.split(",")[1]}`);
  });

  it("draws a log chart's smallest value on the x axis and clamps below it", () => {
    const svg = timeChart({ title: "t", xMax: 1, axis: WALL_SECONDS, yLabel: "y", logY: true, yMin: 1, series: [{ label: "s", color: "#000", points: [[0, 0.5], [1, 1]] }] });
    const ys = /<polyline points="([^"]+)"/.exec(svg)![1]!.split(" ").map((p) => p.split(",")[1]);
    expect(ys).to.deep.equal(["206.0", "206.0"]);
  });

  it("builds a page with escaped title and tables", () => {
    const page = htmlPage("r<1>", factTable([["k", "<v>"]]) + gridTable(["a"], [[null], ["x&y"]]));
    expect(page).to.match(/^<!doctype html>/);
    expect(page).to.include("<title>r&lt;1&gt;</title>").and.include("<td>&lt;v&gt;</td>").and.include("<td>–</td>").and.include("x&amp;y");
    expect(escapeXml(`<&>"'`)).to.equal("&lt;&amp;&gt;&quot;&#39;");
  });
});
