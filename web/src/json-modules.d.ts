declare module 'echarts-map-data/map/json/china.json' {
  const value: { type: string; features: Array<{ id?: string; properties: Record<string, unknown> }> };
  export default value;
}
