import type {
  Customer,
  Discount,
  OfflineProfile,
  Operator,
  OperatorRole,
  Product,
  Register,
  Store,
  TaxGroup,
  TenderType,
} from "../../domain/master-data.ts";
import { ROLE_PERMISSIONS } from "../../replication/operators/permissions.ts";
import { hashPin } from "../../replication/operators/pin-hash.ts";
import { toEan13 } from "./gtin.ts";

/**
 * A realistic demo store, generated from a seed: the same seed always gives the same store,
 * byte for byte (PIN salts included), so demos, tests and benchmarks can rely on product ids,
 * barcodes and prices.
 */

/** Everything headquarters would distribute for one store. */
export type DemoStore = {
  readonly seed: number;
  readonly store: Store;
  readonly taxGroups: readonly TaxGroup[];
  readonly offlineProfiles: readonly OfflineProfile[];
  readonly registers: readonly Register[];
  readonly operators: readonly Operator[];
  readonly tenderTypes: readonly TenderType[];
  readonly products: readonly Product[];
  readonly discounts: readonly Discount[];
  readonly customers: readonly Customer[];
};

export type DemoStoreOptions = {
  /** Defaults to 2,400. */
  readonly productCount?: number;
  /** PBKDF2 iterations for the demo PINs; defaults to the production value. */
  readonly pinIterations?: number;
  /** Offline-capable registers beyond R1-R3: R4, R5, ... (0 to {@link MAX_DEMO_EXTRA_REGISTERS}). */
  readonly extraRegisters?: number;
};

/** The most extra demo registers a store is created with. */
export const MAX_DEMO_EXTRA_REGISTERS = 20;

/** The demo store's register ids: R1, R2 (offline support), R3 (none), then the extra ones. */
export function demoRegisterIds(extraRegisters = 0): string[] {
  return Array.from({ length: 3 + extraRegisters }, (_, i) => `R${i + 1}`);
}

/** The demo operators' sign-in PINs (the store holds only their hashes). */
export const DEMO_OPERATOR_PINS = {
  "1001": "1234",
  "9001": "9999",
} as const;

export const DEMO_STORE_ID = "S1";
export const DEMO_OFFLINE_PROFILE_ID = "OP-DEFAULT";

export const DEMO_TAX_GROUPS: readonly TaxGroup[] = [
  { id: "STD", name: "Standard 20 %", rateBp: 2000 },
  { id: "RED", name: "Reduced 5.5 %", rateBp: 550 },
  { id: "ZERO", name: "Zero rate", rateBp: 0 },
];

type Category = {
  readonly taxGroupId: "STD" | "RED" | "ZERO";
  readonly items: readonly string[];
  readonly sizes: readonly string[];
  /** Price range in minor units for the smallest size. */
  readonly minPrice: number;
  readonly maxPrice: number;
};

const CATEGORIES: readonly Category[] = [
  {
    taxGroupId: "RED",
    items: [
      "Whole Milk",
      "Semi-Skimmed Milk",
      "Greek Yoghurt",
      "Natural Yoghurt",
      "Butter",
      "Cheddar",
      "Mozzarella",
      "Brie",
      "Cream Cheese",
      "Double Cream",
      "Free-Range Eggs",
      "Oat Drink",
    ],
    sizes: ["250 g", "500 g", "1 kg", "1 L", "6 pack"],
    minPrice: 89,
    maxPrice: 499,
  },
  {
    taxGroupId: "RED",
    items: [
      "Sourdough Loaf",
      "Wholemeal Bread",
      "Baguette",
      "Croissants",
      "Bagels",
      "Rye Bread",
      "Brioche",
      "Pitta Bread",
      "Tortilla Wraps",
      "Crumpets",
    ],
    sizes: ["4 pack", "6 pack", "400 g", "800 g"],
    minPrice: 79,
    maxPrice: 399,
  },
  {
    taxGroupId: "RED",
    items: [
      "Bananas",
      "Gala Apples",
      "Conference Pears",
      "Clementines",
      "Blueberries",
      "Strawberries",
      "Cherry Tomatoes",
      "Baby Spinach",
      "Carrots",
      "Red Onions",
      "Potatoes",
      "Broccoli",
      "Avocados",
      "Lemons",
      "Mushrooms",
      "Cucumber",
    ],
    sizes: ["250 g", "500 g", "1 kg", "2 kg", "each"],
    minPrice: 49,
    maxPrice: 449,
  },
  {
    taxGroupId: "RED",
    items: [
      "Spaghetti",
      "Penne",
      "Basmati Rice",
      "Arborio Rice",
      "Porridge Oats",
      "Cornflakes",
      "Granola",
      "Plain Flour",
      "Caster Sugar",
      "Chopped Tomatoes",
      "Chickpeas",
      "Red Lentils",
      "Baked Beans",
      "Peanut Butter",
      "Strawberry Jam",
      "Honey",
      "Olive Oil",
      "Tuna Chunks",
    ],
    sizes: ["400 g", "500 g", "1 kg", "750 ml"],
    minPrice: 59,
    maxPrice: 699,
  },
  {
    taxGroupId: "RED",
    items: [
      "Chicken Breast",
      "Beef Mince",
      "Pork Sausages",
      "Smoked Salmon",
      "Cod Fillets",
      "Cooked Ham",
      "Streaky Bacon",
      "Lamb Chops",
      "Turkey Slices",
      "Prawns",
    ],
    sizes: ["200 g", "400 g", "500 g", "1 kg"],
    minPrice: 249,
    maxPrice: 1299,
  },
  {
    taxGroupId: "STD",
    items: [
      "Sparkling Water",
      "Still Water",
      "Cola",
      "Orange Juice",
      "Apple Juice",
      "Lemonade",
      "Iced Tea",
      "Energy Drink",
      "Ground Coffee",
      "Coffee Beans",
      "English Breakfast Tea",
      "Green Tea",
    ],
    sizes: ["330 ml", "500 ml", "1.5 L", "6 x 330 ml", "250 g"],
    minPrice: 59,
    maxPrice: 899,
  },
  {
    taxGroupId: "STD",
    items: [
      "Red Wine",
      "White Wine",
      "Rosé Wine",
      "Prosecco",
      "Lager",
      "Pale Ale",
      "Stout",
      "Cider",
      "Gin",
      "Whisky",
    ],
    sizes: ["330 ml", "750 ml", "4 x 440 ml", "70 cl"],
    minPrice: 199,
    maxPrice: 2999,
  },
  {
    taxGroupId: "STD",
    items: [
      "Sea Salt Crisps",
      "Tortilla Chips",
      "Salted Peanuts",
      "Milk Chocolate",
      "Dark Chocolate",
      "Digestive Biscuits",
      "Flapjack",
      "Popcorn",
      "Fruit Gums",
      "Shortbread",
    ],
    sizes: ["45 g", "150 g", "200 g", "multipack"],
    minPrice: 69,
    maxPrice: 399,
  },
  {
    taxGroupId: "STD",
    items: [
      "Washing-Up Liquid",
      "Laundry Detergent",
      "Fabric Conditioner",
      "Kitchen Roll",
      "Toilet Tissue",
      "Bin Bags",
      "Multi-Surface Cleaner",
      "Dishwasher Tablets",
      "Sponges",
      "Bleach",
    ],
    sizes: ["500 ml", "1 L", "4 rolls", "9 rolls", "30 pack"],
    minPrice: 99,
    maxPrice: 1199,
  },
  {
    taxGroupId: "STD",
    items: [
      "Shampoo",
      "Conditioner",
      "Shower Gel",
      "Toothpaste",
      "Toothbrush",
      "Deodorant",
      "Hand Soap",
      "Body Lotion",
      "Razors",
      "Cotton Pads",
    ],
    sizes: ["75 ml", "250 ml", "400 ml", "2 pack"],
    minPrice: 99,
    maxPrice: 899,
  },
  {
    taxGroupId: "ZERO",
    items: [
      "Daily Newspaper",
      "Weekend Newspaper",
      "Cookbook",
      "Children's Picture Book",
      "Crossword Book",
      "Road Atlas",
      "Paperback Novel",
      "Gardening Magazine",
    ],
    sizes: ["edition", "volume"],
    minPrice: 150,
    maxPrice: 1499,
  },
];

const BRANDS = [
  "Greenfield",
  "Harbour Lane",
  "Nordic Farm",
  "Sunny Valley",
  "Old Mill",
  "Blue Coast",
  "Meadowbrook",
  "Hillside",
  "Golden Acre",
  "Riverside",
  "Store Basics",
  "Organic Choice",
] as const;

const FIRST_NAMES = [
  "Amelia",
  "Noah",
  "Olivia",
  "Liam",
  "Isla",
  "Lucas",
  "Chloé",
  "Hugo",
  "Mia",
  "Leo",
  "Emma",
  "Jonas",
  "Sofia",
  "Mateo",
  "Hannah",
  "Arjun",
  "Zoe",
  "Tomás",
  "Freya",
  "Kenji",
] as const;
const LAST_NAMES = [
  "Martin",
  "Dubois",
  "Smith",
  "Müller",
  "García",
  "Rossi",
  "Nowak",
  "Jensen",
  "Okafor",
  "Tanaka",
  "Silva",
  "Bernard",
  "Murphy",
  "Kowalski",
  "Lefèvre",
] as const;

/**
 * Builds the demo store for `seed`. Async only because PINs are hashed with WebCrypto.
 *
 * @example
 * const demo = await createDemoStore(1);
 * demo.products.length; // 2400
 */
export async function createDemoStore(
  seed: number,
  options: DemoStoreOptions = {},
): Promise<DemoStore> {
  const random = seededRandom(seed);
  const productCount = options.productCount ?? 2_400;

  const store: Store = {
    id: DEMO_STORE_ID,
    name: "Demo Market Rue Centrale",
    currency: "EUR",
    pricesIncludeTax: true,
  };
  const offlineProfiles: OfflineProfile[] = [
    {
      id: DEMO_OFFLINE_PROFILE_ID,
      name: "Default offline profile",
      switchTimeoutMs: 5_000,
      reconnectIntervalMs: 60_000,
    },
  ];
  const registers: Register[] = [
    {
      id: "R1",
      storeId: store.id,
      name: "Register 1",
      offlineSupport: true,
      offlineProfileId: DEMO_OFFLINE_PROFILE_ID,
    },
    {
      id: "R2",
      storeId: store.id,
      name: "Register 2",
      offlineSupport: true,
      offlineProfileId: DEMO_OFFLINE_PROFILE_ID,
    },
    { id: "R3", storeId: store.id, name: "Register 3 (online only)", offlineSupport: false },
  ];
  const extra = options.extraRegisters ?? 0;
  if (!Number.isInteger(extra) || extra < 0 || extra > MAX_DEMO_EXTRA_REGISTERS) {
    throw new RangeError(
      `extraRegisters must be a whole number from 0 to ${MAX_DEMO_EXTRA_REGISTERS}, not ${extra}`,
    );
  }
  for (const id of demoRegisterIds(extra).slice(3)) {
    registers.push({
      id,
      storeId: store.id,
      name: `Register ${id.slice(1)}`,
      offlineSupport: true,
      offlineProfileId: DEMO_OFFLINE_PROFILE_ID,
    });
  }
  const tenderTypes: TenderType[] = [
    { id: "CASH", name: "Cash", kind: "cash" },
    { id: "CARD", name: "Card", kind: "card" },
    { id: "GIFT", name: "Gift card", kind: "gift-card" },
    { id: "ACCOUNT", name: "Customer account", kind: "customer-account" },
  ];

  const operatorSpecs: readonly {
    id: keyof typeof DEMO_OPERATOR_PINS;
    name: string;
    role: OperatorRole;
    maxDiscountBp: number;
  }[] = [
    { id: "1001", name: "Alex Cashier", role: "cashier", maxDiscountBp: 1_000 },
    { id: "9001", name: "Morgan Manager", role: "manager", maxDiscountBp: 10_000 },
  ];
  const operators: Operator[] = [];
  for (const spec of operatorSpecs) {
    const salt = new Uint8Array(16);
    for (let i = 0; i < salt.length; i++) salt[i] = Math.floor(random() * 256);
    const pinHash = await hashPin(DEMO_OPERATOR_PINS[spec.id], {
      salt,
      ...(options.pinIterations === undefined ? {} : { iterations: options.pinIterations }),
    });
    operators.push({ ...spec, permissions: ROLE_PERMISSIONS[spec.role], pinHash });
  }

  const products = generateProducts(productCount, random);

  const discounts: Discount[] = [
    {
      id: "D-STAFF",
      name: "Staff discount 10 %",
      kind: "percent",
      value: 1_000,
      scope: "sale",
      active: true,
    },
    {
      id: "D-DAMAGED",
      name: "Damaged packaging 25 %",
      kind: "percent",
      value: 2_500,
      scope: "line",
      active: true,
    },
    {
      id: "D-LOYAL",
      name: "Loyalty 5 %",
      kind: "percent",
      value: 500,
      scope: "sale",
      active: true,
    },
    { id: "D-2OFF", name: "2.00 off", kind: "amount", value: 200, scope: "line", active: true },
    {
      id: "D-SUMMER",
      name: "Summer promotion 15 %",
      kind: "percent",
      value: 1_500,
      scope: "sale",
      active: false,
    },
  ];

  const customers: Customer[] = [];
  for (let i = 1; i <= 40; i++) {
    const first = pick(FIRST_NAMES, random);
    const last = pick(LAST_NAMES, random);
    const id = `C${String(i).padStart(4, "0")}`;
    const email = `${ascii(first)}.${ascii(last)}${i}@example.com`.toLowerCase();
    const phone = `+33 6 ${String(Math.floor(random() * 100_000_000))
      .padStart(8, "0")
      .replace(/(\d{2})(?=\d)/g, "$1 ")}`;
    customers.push(
      i % 3 === 0
        ? { id, name: `${first} ${last}`, email }
        : { id, name: `${first} ${last}`, email, phone },
    );
  }

  return {
    seed,
    store,
    taxGroups: DEMO_TAX_GROUPS,
    offlineProfiles,
    registers,
    operators,
    tenderTypes,
    products,
    discounts,
    customers,
  };
}

function generateProducts(count: number, random: () => number): Product[] {
  type Candidate = { brand: string; category: Category; item: string; sizeIndex: number };
  const candidates: Candidate[] = [];
  for (const category of CATEGORIES) {
    for (const item of category.items) {
      for (const brand of BRANDS) {
        for (let sizeIndex = 0; sizeIndex < category.sizes.length; sizeIndex++) {
          candidates.push({ brand, category, item, sizeIndex });
        }
      }
    }
  }
  if (count > candidates.length) {
    throw new RangeError(
      `The demo store can name at most ${candidates.length} products, asked for ${count}.`,
    );
  }
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const swap = candidates[i]!;
    candidates[i] = candidates[j]!;
    candidates[j] = swap;
  }

  const products: Product[] = [];
  for (let index = 0; index < count; index++) {
    const { brand, category, item, sizeIndex } = candidates[index]!;
    const number = index + 1;
    const size = category.sizes[sizeIndex]!;
    const base = category.minPrice + random() * (category.maxPrice - category.minPrice);
    const scaled = base * (1 + sizeIndex * 0.6);
    const price = Math.max(9, Math.floor(scaled / 10) * 10 + 9);
    const barcodes = [toEan13(`376${String(number).padStart(9, "0")}`)];
    if (random() < 0.05) barcodes.push(toEan13(`377${String(number).padStart(9, "0")}`));
    products.push({
      id: `P${String(number).padStart(5, "0")}`,
      name: `${brand} ${item} ${size}`,
      barcodes,
      price,
      taxGroupId: category.taxGroupId,
      active: random() >= 0.02,
    });
  }
  return products;
}

function pick<T>(values: readonly T[], random: () => number): T {
  return values[Math.floor(random() * values.length)]!;
}

function ascii(text: string): string {
  return text.normalize("NFD").replace(/[^A-Za-z]/g, "");
}

/** mulberry32: small, fast, and the same sequence on every platform for a given seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
