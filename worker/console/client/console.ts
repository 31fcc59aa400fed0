// The console's only script: draws the charts from their data attributes (Chart.js), copies the script
// tag, and submits the site switcher on change. Pages work without it; it only adds these.
import {
  ArcElement,
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  DoughnutController,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
} from "chart.js";

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip);

interface ChartSpec {
  type: "bar" | "line" | "doughnut" | "hbar";
  labels: string[];
  series: { label: string; data: (number | null)[]; axis?: "right" }[];
  stepped?: boolean;
}

// Colour-blind-safe (Okabe-Ito), dark enough on white for the 3:1 that graphics need.
const COLOURS = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000"];

function config(spec: ChartSpec): ChartConfiguration {
  const colour = (i: number) => COLOURS[i % COLOURS.length] as string;
  if (spec.type === "doughnut") {
    return {
      type: "doughnut",
      data: { labels: spec.labels, datasets: spec.series.map((s) => ({ label: s.label, data: s.data, backgroundColor: spec.labels.map((_, i) => colour(i)) })) },
      options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "right" } } },
    };
  }
  if (spec.type === "line") {
    return {
      type: "line",
      data: {
        labels: spec.labels,
        datasets: spec.series.map((s, i) => ({ label: s.label, data: s.data, borderColor: colour(i), backgroundColor: colour(i), stepped: spec.stepped ? "after" : false, pointRadius: spec.labels.length > 60 ? 0 : 2, borderWidth: i === 0 ? 3 : 1.5 })),
      },
      options: { responsive: true, maintainAspectRatio: false, interaction: { mode: "index", intersect: false }, scales: { x: { ticks: { maxTicksLimit: 8, autoSkip: true } } } },
    };
  }
  const right = spec.series.find((s) => s.axis === "right");
  return {
    type: "bar",
    data: { labels: spec.labels, datasets: spec.series.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: colour(i), yAxisID: s.axis === "right" ? "y1" : "y" })) },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      indexAxis: spec.type === "hbar" ? "y" : "x",
      plugins: { legend: { display: spec.series.length > 1 } },
      scales: {
        x: { ticks: { maxTicksLimit: 10, autoSkip: true } },
        y: { beginAtZero: true, ...(right ? { title: { display: true, text: spec.series[0]?.label ?? "" } } : {}) },
        ...(right ? { y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, ticks: { precision: 0 }, title: { display: true, text: right.label } } } : {}),
      },
    },
  };
}

function drawCharts(): void {
  for (const canvas of document.querySelectorAll<HTMLCanvasElement>("canvas[data-chart]")) {
    const spec = JSON.parse(canvas.dataset.chart ?? "null") as ChartSpec | null;
    if (spec) new Chart(canvas, config(spec));
  }
}

function copyButtons(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-copy]")) {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy ?? "");
      const status = button.parentElement?.querySelector(".copied");
      try {
        await navigator.clipboard.writeText(source?.textContent?.trim() ?? "");
        if (status) status.textContent = "Copied.";
      } catch {
        if (status) status.textContent = "Select the text and copy it (the browser refused).";
      }
    });
  }
}

function autoSubmit(): void {
  for (const select of document.querySelectorAll<HTMLSelectElement>("select[data-autosubmit]")) {
    select.addEventListener("change", () => select.form?.submit());
  }
}

document.documentElement.classList.add("js");
drawCharts();
copyButtons();
autoSubmit();
