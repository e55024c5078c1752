// ECharts, only the parts the console draws (a chunk of its own, loaded by the
// national pages), and the China provinces map (another chunk, Apache-2.0
// GeoJSON shipped by ECharts 4.9's npm package).
import * as echarts from 'echarts/core';
import { LineChart, MapChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([LineChart, MapChart, PieChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

export { echarts };

let chinaLoaded: Promise<void> | null = null;
// Short province names of the map ("广东"), by 2-digit code.
export const provinceNames = new Map<string, string>();

// Registers map "china" whose regions are named by their 2-digit GB/T 2260
// province code (properties.code), so the API's region codes match directly.
export function loadChinaMap(): Promise<void> {
  chinaLoaded ??= import('echarts-map-data/map/json/china.json').then((module) => {
    const geo = JSON.parse(JSON.stringify(module.default)) as { features: Array<{ id?: string; properties: Record<string, unknown> }> };
    for (const f of geo.features) {
      f.properties.code = String(f.properties.id ?? f.id ?? '').slice(0, 2);
      provinceNames.set(f.properties.code as string, String(f.properties.name ?? ''));
    }
    echarts.registerMap('china', geo as never);
  });
  return chinaLoaded;
}

export type Chart = ReturnType<typeof echarts.init>;

export function chartPng(chart: Chart): string {
  return chart.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
}
