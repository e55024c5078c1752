#include "osh/domain/hazards.h"

#include <array>

namespace osh::domain {
namespace {

using HC = HazardCategory;

constexpr std::array<HazardCategoryInfo, 6> kCategories = {{
    {HC::kDust, 'D', "dust", "粉尘", "Dust", 52},
    {HC::kChemical, 'C', "chemical", "化学因素", "Chemical factors", 375},
    {HC::kPhysical, 'P', "physical", "物理因素", "Physical factors", 15},
    {HC::kRadioactive, 'R', "radioactive", "放射性因素", "Radioactive factors", 8},
    {HC::kBiological, 'B', "biological", "生物因素", "Biological factors", 6},
    {HC::kOther, 'O', "other", "其他因素", "Other factors", 3},
}};

// Names follow the catalogue; for dusts and chemicals the catalogue sometimes
// adds a free-silica or scope qualifier, kept only where it decides which
// factor is meant (silica dust). The "other" category of the catalogue has
// three closed entries and no open clause, so there is no O999.
constexpr HazardFactor kFactors[] = {
    // Dust: the twelve dusts of the named pneumoconioses, then common others.
    {"D001", HC::kDust, "矽尘（游离SiO2含量≥10%）", "Silica dust (free SiO2 ≥ 10%)", "", ""},
    {"D002", HC::kDust, "煤尘", "Coal dust", "", ""},
    {"D003", HC::kDust, "石墨粉尘", "Graphite dust", "", ""},
    {"D004", HC::kDust, "石棉粉尘", "Asbestos dust", "", ""},
    {"D005", HC::kDust, "水泥粉尘", "Cement dust", "", ""},
    {"D006", HC::kDust, "电焊烟尘", "Welding fume", "", ""},
    {"D007", HC::kDust, "木粉尘", "Wood dust", "", ""},
    {"D008", HC::kDust, "炭黑粉尘", "Carbon black dust", "", ""},
    {"D009", HC::kDust, "滑石粉尘", "Talc dust", "", ""},
    {"D010", HC::kDust, "云母粉尘", "Mica dust", "", ""},
    {"D011", HC::kDust, "陶土粉尘", "Pottery clay dust", "", ""},
    {"D012", HC::kDust, "铝尘", "Aluminium dust", "", ""},
    {"D013", HC::kDust, "铸造粉尘", "Foundry dust", "", ""},
    {"D014", HC::kDust, "棉尘", "Cotton dust", "", ""},
    {"D999", HC::kDust, "以上未提及的可导致职业病的其他粉尘",
     "Other dust not listed that can cause occupational disease", "", ""},

    // Chemical factors.
    {"C001", HC::kChemical, "苯", "Benzene", "", ""},
    {"C002", HC::kChemical, "甲苯", "Toluene", "", ""},
    {"C003", HC::kChemical, "二甲苯", "Xylene", "", ""},
    {"C004", HC::kChemical, "正己烷", "n-Hexane", "", ""},
    {"C005", HC::kChemical, "铅及其化合物（不包括四乙基铅）",
     "Lead and its compounds (excluding tetraethyl lead)", "", ""},
    {"C006", HC::kChemical, "汞及其化合物", "Mercury and its compounds", "", ""},
    {"C007", HC::kChemical, "一氧化碳", "Carbon monoxide", "", ""},
    {"C008", HC::kChemical, "硫化氢", "Hydrogen sulphide", "", ""},
    {"C009", HC::kChemical, "氨", "Ammonia", "", ""},
    {"C010", HC::kChemical, "甲醛", "Formaldehyde", "", ""},
    {"C011", HC::kChemical, "三氯乙烯", "Trichloroethylene", "", ""},
    {"C012", HC::kChemical, "氯乙烯", "Vinyl chloride", "", ""},
    {"C013", HC::kChemical, "锰及其化合物", "Manganese and its compounds", "", ""},
    {"C014", HC::kChemical, "镉及其化合物", "Cadmium and its compounds", "", ""},
    {"C015", HC::kChemical, "铍及其化合物", "Beryllium and its compounds", "", ""},
    {"C016", HC::kChemical, "砷及其化合物", "Arsenic and its compounds", "", ""},
    {"C017", HC::kChemical, "氯气", "Chlorine", "", ""},
    {"C018", HC::kChemical, "二氧化硫", "Sulphur dioxide", "", ""},
    {"C019", HC::kChemical, "光气", "Phosgene", "", ""},
    {"C020", HC::kChemical, "氮氧化合物", "Nitrogen oxides", "", ""},
    {"C021", HC::kChemical, "二硫化碳", "Carbon disulphide", "", ""},
    {"C022", HC::kChemical, "甲醇", "Methanol", "", ""},
    {"C023", HC::kChemical, "四氯化碳", "Carbon tetrachloride", "", ""},
    {"C024", HC::kChemical, "三硝基甲苯", "Trinitrotoluene", "", ""},
    {"C025", HC::kChemical, "二甲基甲酰胺", "Dimethylformamide", "", ""},
    {"C026", HC::kChemical, "丙烯酰胺", "Acrylamide", "", ""},
    {"C027", HC::kChemical, "环氧乙烷", "Ethylene oxide", "", ""},
    {"C028", HC::kChemical, "汽油", "Gasoline", "", ""},
    {"C999", HC::kChemical, "以上未提及的可导致职业病的其他化学因素",
     "Other chemical factor not listed that can cause occupational disease", "", ""},

    // Physical factors: all fourteen named entries and the open clause.
    {"P001", HC::kPhysical, "噪声", "Noise", "", ""},
    {"P002", HC::kPhysical, "高温", "High temperature (heat)", "", ""},
    {"P003", HC::kPhysical, "振动", "Vibration", "", ""},
    {"P004", HC::kPhysical, "紫外线", "Ultraviolet radiation", "", ""},
    {"P005", HC::kPhysical, "高气压", "High air pressure", "", ""},
    {"P006", HC::kPhysical, "低气压", "Low air pressure", "", ""},
    {"P007", HC::kPhysical, "激光", "Laser", "", ""},
    {"P008", HC::kPhysical, "高原低氧", "High-altitude hypoxia", "", ""},
    {"P009", HC::kPhysical, "低温", "Low temperature (cold)", "", ""},
    {"P010", HC::kPhysical, "微波", "Microwave", "", ""},
    {"P011", HC::kPhysical, "红外线", "Infrared radiation", "", ""},
    {"P012", HC::kPhysical, "工频电磁场", "Power-frequency electromagnetic field", "", ""},
    {"P013", HC::kPhysical, "高频电磁场", "High-frequency electromagnetic field", "", ""},
    {"P014", HC::kPhysical, "超高频电磁场", "Ultra-high-frequency electromagnetic field", "", ""},
    {"P999", HC::kPhysical, "以上未提及的可导致职业病的其他物理因素",
     "Other physical factor not listed that can cause occupational disease", "", ""},

    // Radioactive factors: all seven named entries and the open clause.
    {"R001", HC::kRadioactive, "X射线装置（含CT机）产生的电离辐射",
     "Ionising radiation from X-ray equipment (including CT)", "", ""},
    {"R002", HC::kRadioactive, "密封放射源产生的电离辐射",
     "Ionising radiation from sealed radioactive sources", "", ""},
    {"R003", HC::kRadioactive, "非密封放射性物质", "Unsealed radioactive material", "", ""},
    {"R004", HC::kRadioactive, "加速器产生的电离辐射", "Ionising radiation from accelerators",
     "", ""},
    {"R005", HC::kRadioactive, "中子发生器产生的电离辐射",
     "Ionising radiation from neutron generators", "", ""},
    {"R006", HC::kRadioactive, "氡及其短寿命子体", "Radon and its short-lived progeny",
     "矿工高氡暴露", "miners with high radon exposure"},
    {"R007", HC::kRadioactive, "铀及其化合物", "Uranium and its compounds", "", ""},
    {"R999", HC::kRadioactive, "以上未提及的可导致职业病的其他放射性因素",
     "Other radioactive factor not listed that can cause occupational disease", "", ""},

    // Biological factors: all five named entries and the open clause.
    {"B001", HC::kBiological, "炭疽芽孢杆菌", "Bacillus anthracis (anthrax)", "", ""},
    {"B002", HC::kBiological, "布鲁氏菌", "Brucella", "", ""},
    {"B003", HC::kBiological, "森林脑炎病毒", "Forest encephalitis virus", "", ""},
    {"B004", HC::kBiological, "伯氏疏螺旋体", "Borrelia burgdorferi", "", ""},
    {"B005", HC::kBiological, "艾滋病病毒", "Human immunodeficiency virus (HIV)",
     "医疗卫生人员及人民警察", "medical and health workers and police officers"},
    {"B999", HC::kBiological, "以上未提及的可导致职业病的其他生物因素",
     "Other biological factor not listed that can cause occupational disease", "", ""},

    // Other factors: the three entries of the catalogue.
    {"O001", HC::kOther, "金属烟", "Metal fume", "", ""},
    {"O002", HC::kOther, "井下不良作业条件", "Adverse underground working conditions",
     "井下工人", "underground workers"},
    {"O003", HC::kOther, "刮研作业", "Scraping work", "手工刮研作业人员",
     "workers who scrape by hand"},
};

}  // namespace

std::span<const HazardCategoryInfo> AllHazardCategories() { return kCategories; }

const HazardCategoryInfo* FindHazardCategory(HazardCategory category) {
  for (const HazardCategoryInfo& info : kCategories) {
    if (info.category == category) return &info;
  }
  return nullptr;
}

std::span<const HazardFactor> AllHazardFactors() { return kFactors; }

const HazardFactor* FindHazardFactor(std::string_view code) {
  for (const HazardFactor& factor : kFactors) {
    if (factor.code == code) return &factor;
  }
  return nullptr;
}

std::string_view HazardCategoryName(HazardCategory category) {
  if (category == HazardCategory::kUnspecified) return "unspecified";
  const HazardCategoryInfo* info = FindHazardCategory(category);
  return info == nullptr ? "unknown" : info->key;
}

std::optional<HazardCategory> ParseHazardCategory(std::string_view name) {
  for (const HazardCategoryInfo& info : kCategories) {
    if (info.key == name) return info.category;
  }
  return std::nullopt;
}

}  // namespace osh::domain
