// Fixed word lists the seeded tenant draws from: people, departments, places, roles, sources.

export const FIRST_NAMES = [
  "Alice", "Aaron", "Abby", "Adam", "Adrian", "Aisha", "Alan", "Amara", "Amy", "Andre",
  "Anna", "Ben", "Bianca", "Brian", "Carla", "Carlos", "Chen", "Chloe", "Daniel", "Diana",
  "Dmitri", "Elena", "Emily", "Eric", "Fatima", "Felix", "Fiona", "Gabriel", "Grace", "Hana",
  "Hector", "Ian", "Ingrid", "Isaac", "Jamal", "Jane", "Javier", "Jessica", "John", "Julia",
  "Kai", "Karen", "Kenji", "Laura", "Leo", "Lina", "Lucas", "Maria", "Mark", "Maya",
  "Mei", "Michael", "Nadia", "Nathan", "Nina", "Omar", "Olivia", "Pablo", "Priya", "Quinn",
  "Rachel", "Rahul", "Rosa", "Ryan", "Sam", "Sara", "Sofia", "Stefan", "Tara", "Thomas",
  "Uma", "Victor", "Wei", "Will", "Xavier", "Yara", "Yusuf", "Zoe", "Zainab", "Walter",
] as const;

export const LAST_NAMES = [
  "Walker", "Adams", "Ahmed", "Alvarez", "Anderson", "Baker", "Banerjee", "Bauer", "Bennett", "Brooks",
  "Brown", "Campbell", "Chen", "Clark", "Cohen", "Cruz", "Davis", "Diaz", "Dubois", "Edwards",
  "Evans", "Fischer", "Foster", "Garcia", "Green", "Gupta", "Hall", "Harris", "Hughes", "Ito",
  "Jackson", "Jensen", "Johnson", "Kaur", "Kim", "Klein", "Kowalski", "Lee", "Lopez", "Martin",
  "Meyer", "Miller", "Moore", "Morales", "Murphy", "Nakamura", "Nguyen", "Novak", "Okafor", "Olsen",
  "Patel", "Perez", "Peterson", "Price", "Reyes", "Rossi", "Russo", "Sanchez", "Santos", "Schmidt",
  "Scott", "Silva", "Singh", "Smith", "Suzuki", "Taylor", "Thomas", "Torres", "Turner", "Wagner",
  "Wang", "Ward", "White", "Williams", "Wilson", "Wong", "Wright", "Young", "Yamamoto", "Zhang",
] as const;

export const DEPARTMENTS: Record<string, readonly string[]> = {
  Engineering: ["Software Engineer", "Senior Software Engineer", "Engineering Manager", "QA Engineer"],
  Sales: ["Account Executive", "Sales Representative", "Sales Director"],
  Marketing: ["Marketing Analyst", "Content Strategist", "Marketing Manager"],
  Finance: ["Financial Analyst", "Accountant", "Controller"],
  "Human Resources": ["HR Partner", "Recruiter", "HR Director"],
  "IT Operations": ["Helpdesk Agent", "Systems Administrator", "IT Manager"],
  Legal: ["Legal Counsel", "Paralegal"],
  Security: ["Security Analyst", "Security Engineer"],
  Support: ["Support Agent", "Support Lead"],
};

export const LOCATIONS = ["Austin", "London", "New York", "Singapore", "Berlin", "Toronto", "Sydney", "Remote"] as const;

export const ROLE_NAMES = [
  "Engineer", "Senior Engineer", "Sales Representative", "Account Executive", "Marketing Analyst",
  "Financial Analyst", "HR Partner", "Helpdesk Agent", "IT Administrator", "Legal Counsel",
  "Operations Manager", "Security Analyst", "Support Agent", "Employee Baseline", "Contractor Baseline",
  "People Manager",
] as const;

export const SOURCE_NAMES = ["Active Directory", "Workday", "ServiceNow", "Salesforce", "GitHub", "Okta"] as const;

export const APPLICATION_NAMES = ["Expense Portal", "Jira", "Confluence", "Payroll", "CRM"] as const;

export const IDENTITY_PROFILE_NAMES = ["Employees", "Contractors", "Service Desk"] as const;
